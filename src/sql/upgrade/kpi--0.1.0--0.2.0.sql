/* kpi 0.1.0 -> 0.2.0 -- changes to objects that 0.1.0 already had */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION kpi UPDATE TO '0.2.0'" to load this file. \quit

/*
 * Only what changed since 0.1.0, in the order of the install script's parts.
 * Objects that are wholly new in 0.2.0 are not written here: the Makefile
 * appends their files (UPGRADE_0_2_0_NEW_PARTS).  test/upgrade.sh proves that
 * 0.1.0 plus this script equals a fresh 0.2.0 install.
 */
