/* kpi -- checks of catalog input, with errors that teach */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION kpi" to load this file. \quit

/*
 * The closed sets of kpi.definitions (metric, direction, stage) and its name
 * are checked by these functions rather than by bare CHECK expressions, so
 * that a mistake is answered with the allowed values and the likely intended
 * one instead of "violates check constraint" (src/input_checks.c).
 */
CREATE FUNCTION kpi.closest_name(word text, candidates text[]) RETURNS text
	AS 'MODULE_PATHNAME', 'kpi_closest_name' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.closest_name(text, text[]) IS
	'The candidate closest to word by edit distance, ignoring case, when it is a likely typo (at most a third of the word''s length away); else NULL.';

CREATE FUNCTION kpi.must_be_one_of(value text, what text, allowed text[]) RETURNS boolean
	AS 'MODULE_PATHNAME', 'kpi_must_be_one_of' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.must_be_one_of(text, text, text[]) IS
	'True when value is one of allowed; otherwise error 23514 naming the allowed values and the closest one.';

CREATE FUNCTION kpi.must_be_identifier(value text, what text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'kpi_must_be_identifier' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.must_be_identifier(text, text) IS
	'True when value is a lower-case identifier ([a-z][a-z0-9_]*); otherwise error 23514 saying so, with the nearest identifier.';
