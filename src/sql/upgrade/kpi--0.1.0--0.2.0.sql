/* kpi 0.1.0 -> 0.2.0 -- changes to objects that 0.1.0 already had */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION kpi UPDATE TO '0.2.0'" to load this file. \quit

/*
 * Only what changed since 0.1.0, in the order of the install script's parts.
 * Objects that are wholly new in 0.2.0 are not written here: the Makefile
 * appends their files (UPGRADE_0_2_0_NEW_PARTS).  test/upgrade.sh proves that
 * 0.1.0 plus this script equals a fresh 0.2.0 install.
 */

/*
 * Scale-out (issue 9): no function reads its argument types from fn_expr.
 * In 0.1.0 the ratio_agg transition (ratio_summary_accum) and the moving
 * transitions served all sixteen type pairs with one C symbol that asked
 * get_fn_expr_argtype, which returns 0 when Citus's worker_partial_agg calls
 * it through a bare fmgr_info.  Each signature now binds a C symbol compiled
 * for its types.  The 0.1.0 symbols stay in the library for installations
 * that have not run this update yet.
 */
DO $bind_specialised_transitions$
DECLARE
	arg_types CONSTANT text[] := ARRAY['integer', 'bigint', 'numeric', 'double precision'];
	c_names CONSTANT text[] := ARRAY['int4', 'int8', 'numeric', 'float8'];
	fn record;
BEGIN
	FOR i IN 1..4 LOOP
		FOR j IN 1..4 LOOP
			FOR fn IN
				SELECT * FROM (VALUES
					('ratio_summary_accum', 'kpi.ratio', 'kpi_ratio_summary_accum_'),
					('ratio_moving_accum', 'internal', 'kpi_ratio_moving_accum_'),
					('ratio_moving_retract', 'internal', 'kpi_ratio_moving_retract_'),
					('ratio_summary_moving_accum', 'internal', 'kpi_ratio_summary_moving_accum_'),
					('ratio_summary_moving_retract', 'internal', 'kpi_ratio_summary_moving_retract_')
				) AS f(name, state_type, c_prefix)
			LOOP
				EXECUTE pg_catalog.format(
					'CREATE OR REPLACE FUNCTION kpi.%1$I(%2$s, %3$s, %4$s) RETURNS %2$s '
					'AS %5$L, %6$L LANGUAGE C IMMUTABLE PARALLEL SAFE',
					fn.name, fn.state_type, arg_types[i], arg_types[j], 'MODULE_PATHNAME',
					fn.c_prefix || c_names[i] || '_' || c_names[j]);
			END LOOP;
		END LOOP;
	END LOOP;
END
$bind_specialised_transitions$;
