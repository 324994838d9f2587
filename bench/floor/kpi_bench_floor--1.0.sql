-- bench/floor: the benchmark's floor aggregate (not part of kpi).
-- A non-strict C transition, like kpi's, taking any two arguments; the state
-- is a bigint that stays 0.
CREATE FUNCTION kpi_bench_floor_trans(bigint, "any", "any") RETURNS bigint
	AS 'MODULE_PATHNAME', 'kpi_bench_floor_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE kpi_bench_floor("any", "any") (
	SFUNC = kpi_bench_floor_trans, STYPE = bigint, INITCOND = '0', PARALLEL = SAFE
);
