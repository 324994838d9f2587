-- bench/floor: the benchmark's floor aggregate (not part of kpi).
-- A non-strict C transition, like kpi's, taking any two arguments; the state
-- is a bigint that stays 0.  The same function is its moving transition and
-- inverse, so that in a sliding window frame it costs what kpi's moving
-- aggregates cost the executor (a call per row entering and leaving).
CREATE FUNCTION kpi_bench_floor_trans(bigint, "any", "any") RETURNS bigint
	AS 'MODULE_PATHNAME', 'kpi_bench_floor_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE kpi_bench_floor("any", "any") (
	SFUNC = kpi_bench_floor_trans, STYPE = bigint, INITCOND = '0',
	MSFUNC = kpi_bench_floor_trans, MINVFUNC = kpi_bench_floor_trans, MSTYPE = bigint, MINITCOND = '0',
	PARALLEL = SAFE
);
