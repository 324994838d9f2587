-- The Citus-style helper aggregates (see kpi_citus_convention.c), in their
-- own schema of a scratch database.
CREATE SCHEMA kpi_citus_convention;

CREATE FUNCTION kpi_citus_convention.partial_sfunc(internal, regprocedure, "any")
	RETURNS internal AS '$libdir/kpi_citus_convention', 'citus_convention_partial_sfunc' LANGUAGE C;
CREATE FUNCTION kpi_citus_convention.partial_sfunc(internal, regprocedure, "any", "any")
	RETURNS internal AS '$libdir/kpi_citus_convention', 'citus_convention_partial_sfunc' LANGUAGE C;
CREATE FUNCTION kpi_citus_convention.partial_sfunc(internal, regprocedure, "any", "any", "any")
	RETURNS internal AS '$libdir/kpi_citus_convention', 'citus_convention_partial_sfunc' LANGUAGE C;
CREATE FUNCTION kpi_citus_convention.partial_ffunc(internal)
	RETURNS text AS '$libdir/kpi_citus_convention', 'citus_convention_partial_ffunc' LANGUAGE C;
CREATE FUNCTION kpi_citus_convention.combine_sfunc(internal, regprocedure, text, anyelement)
	RETURNS internal AS '$libdir/kpi_citus_convention', 'citus_convention_combine_sfunc' LANGUAGE C;
CREATE FUNCTION kpi_citus_convention.combine_ffunc(internal, regprocedure, text, anyelement)
	RETURNS anyelement AS '$libdir/kpi_citus_convention', 'citus_convention_combine_ffunc' LANGUAGE C;

-- worker_partial_agg(aggregate, args...): the partial state, as text.
CREATE AGGREGATE kpi_citus_convention.worker_partial_agg(regprocedure, "any") (
	SFUNC = kpi_citus_convention.partial_sfunc, STYPE = internal,
	FINALFUNC = kpi_citus_convention.partial_ffunc);
CREATE AGGREGATE kpi_citus_convention.worker_partial_agg(regprocedure, "any", "any") (
	SFUNC = kpi_citus_convention.partial_sfunc, STYPE = internal,
	FINALFUNC = kpi_citus_convention.partial_ffunc);
CREATE AGGREGATE kpi_citus_convention.worker_partial_agg(regprocedure, "any", "any", "any") (
	SFUNC = kpi_citus_convention.partial_sfunc, STYPE = internal,
	FINALFUNC = kpi_citus_convention.partial_ffunc);

-- coord_combine_agg(aggregate, partial state text, NULL::result type).
CREATE AGGREGATE kpi_citus_convention.coord_combine_agg(regprocedure, text, anyelement) (
	SFUNC = kpi_citus_convention.combine_sfunc, STYPE = internal,
	FINALFUNC = kpi_citus_convention.combine_ffunc, FINALFUNC_EXTRA);
