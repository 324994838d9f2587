/* kpi -- cohorts, LTV, LTV:CAC and CAC payback (issue 14) */

------------------------------------------------------------------------------
-- kpi.cohort: a mergeable summary of one acquisition cohort.  Input is one
-- row per customer and period since acquisition (0, 1, 2, ...); the row of
-- period 0 counts the customer into the cohort.  The summary is a composite
-- of standard types, so it is a real type that Citus ships as text, and two
-- summaries merge with + (kpi.cohort(kpi.cohort) rolls them up), as
-- kpi.ratio does.  Cohort data has one row per customer and period, orders
-- of magnitude fewer than touches, so the transition is PL/pgSQL.
------------------------------------------------------------------------------

CREATE TYPE kpi.cohort AS (
	customers bigint,		-- rows of period 0: the cohort's size
	revenue numeric[],		-- [k + 1]: Σrevenue in period k since acquisition
	active bigint[]			-- [k + 1]: customers active in period k
);
COMMENT ON TYPE kpi.cohort IS
	'Mergeable summary of an acquisition cohort: its size, and per period since acquisition (element k + 1 for period k) the revenue and the number of active customers.';

CREATE FUNCTION kpi.cohort_accum(state kpi.cohort, period integer, revenue numeric, active boolean)
	RETURNS kpi.cohort
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF period IS NULL THEN
		RETURN state;
	END IF;
	IF period < 0 THEN
		RAISE EXCEPTION 'revenue before acquisition'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('A row is in period %s since acquisition.', period),
				  HINT = 'Periods count from the acquisition period, 0; filter out earlier rows, or move the acquisition date.';
	END IF;
	IF revenue IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'revenue must be a finite number'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('A row of period %s has revenue %s.', period, revenue);
	END IF;
	IF period > 10000 THEN
		RAISE EXCEPTION 'period % since acquisition is out of range', period
			USING ERRCODE = 'numeric_value_out_of_range',
				  DETAIL = 'A cohort keeps at most 10000 periods.';
	END IF;
	IF state IS NULL THEN
		state := ROW(0, '{}', '{}')::kpi.cohort;
	END IF;
	-- Grow both arrays with zeros, so that every element is a number.
	WHILE pg_catalog.cardinality(state.revenue) <= period LOOP
		state.revenue := state.revenue || 0::numeric;
		state.active := state.active || 0::bigint;
	END LOOP;
	IF period = 0 THEN
		state.customers := state.customers + 1;
	END IF;
	state.revenue[period + 1] := state.revenue[period + 1] + COALESCE(revenue, 0);
	IF active THEN
		state.active[period + 1] := state.active[period + 1] + 1;
	END IF;
	RETURN state;
END
$$;
COMMENT ON FUNCTION kpi.cohort_accum(kpi.cohort, integer, numeric, boolean) IS
	'Transition function of kpi.cohort: adds one customer''s row for one period since acquisition; period 0 counts the customer; a negative period (revenue before acquisition) is an error.';

CREATE FUNCTION kpi.cohort_accum(state kpi.cohort, period integer, revenue numeric)
	RETURNS kpi.cohort
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN kpi.cohort_accum(state, period, revenue, COALESCE(revenue > 0, false));
COMMENT ON FUNCTION kpi.cohort_accum(kpi.cohort, integer, numeric) IS
	'Transition function of kpi.cohort(period, revenue): a customer is active in a period when its revenue there is above zero.';

CREATE FUNCTION kpi.cohort_merge(a kpi.cohort, b kpi.cohort)
	RETURNS kpi.cohort
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	BEGIN ATOMIC
		SELECT CASE WHEN a IS NULL THEN b WHEN b IS NULL THEN a ELSE
			ROW((a).customers + (b).customers,
				ARRAY(SELECT COALESCE(x.r, 0) + COALESCE(y.r, 0)
					  FROM pg_catalog.unnest((a).revenue) WITH ORDINALITY AS x(r, k)
					  FULL JOIN pg_catalog.unnest((b).revenue) WITH ORDINALITY AS y(r, k) ON x.k = y.k
					  ORDER BY COALESCE(x.k, y.k)),
				ARRAY(SELECT COALESCE(x.n, 0) + COALESCE(y.n, 0)
					  FROM pg_catalog.unnest((a).active) WITH ORDINALITY AS x(n, k)
					  FULL JOIN pg_catalog.unnest((b).active) WITH ORDINALITY AS y(n, k) ON x.k = y.k
					  ORDER BY COALESCE(x.k, y.k)))::kpi.cohort
		END;
	END;
COMMENT ON FUNCTION kpi.cohort_merge(kpi.cohort, kpi.cohort) IS
	'Merges two cohort summaries: sizes, revenue and active customers added period by period.';

CREATE OPERATOR kpi.+ (LEFTARG = kpi.cohort, RIGHTARG = kpi.cohort, FUNCTION = kpi.cohort_merge, COMMUTATOR = OPERATOR(kpi.+));
COMMENT ON OPERATOR kpi.+ (kpi.cohort, kpi.cohort) IS 'Merges two cohort summaries, as kpi.cohort_merge().';

CREATE AGGREGATE kpi.cohort(period integer, revenue numeric) (
	SFUNC = kpi.cohort_accum, STYPE = kpi.cohort,
	COMBINEFUNC = kpi.cohort_merge, PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.cohort(integer, numeric) IS
	'Cohort summary from one row per customer and period since acquisition (period 0 counts the customer); active when revenue > 0. Group by the acquisition period.';
CREATE AGGREGATE kpi.cohort(period integer, revenue numeric, active boolean) (
	SFUNC = kpi.cohort_accum, STYPE = kpi.cohort,
	COMBINEFUNC = kpi.cohort_merge, PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.cohort(integer, numeric, boolean) IS
	'Cohort summary from one row per customer and period since acquisition (period 0 counts the customer), with activity given explicitly.';
CREATE AGGREGATE kpi.cohort(kpi.cohort) (
	SFUNC = kpi.cohort_merge, STYPE = kpi.cohort,
	COMBINEFUNC = kpi.cohort_merge, PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.cohort(kpi.cohort) IS
	'Rolls cohort summaries up into one, e.g. monthly cohorts into a quarter''s.';

------------------------------------------------------------------------------
-- Measures.  Periods run from 0; a period the summary has no rows for (not
-- yet reached, or negative) gives NULL.  The margin rate defaults to 1.0
-- (revenue is margin).
------------------------------------------------------------------------------

CREATE FUNCTION kpi.cohort_size(c kpi.cohort) RETURNS bigint
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN (c).customers;
COMMENT ON FUNCTION kpi.cohort_size(kpi.cohort) IS 'Customers in the cohort (its rows of period 0).';

CREATE FUNCTION kpi.retention(c kpi.cohort, period integer) RETURNS double precision
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN ((c).active[period + 1])::double precision / NULLIF((c).customers, 0);
COMMENT ON FUNCTION kpi.retention(kpi.cohort, integer) IS
	'Share of the cohort active in the given period since acquisition; NULL for an empty cohort or a period without rows.';

CREATE FUNCTION kpi.ltv(c kpi.cohort, period integer, margin_rate double precision DEFAULT 1.0)
	RETURNS double precision
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	BEGIN ATOMIC
		SELECT CASE WHEN period >= 0 AND period < pg_catalog.cardinality((c).revenue) THEN
			(SELECT sum(r) FROM pg_catalog.unnest(((c).revenue)[1:period + 1]) AS r)::double precision
			   * margin_rate / NULLIF((c).customers, 0) END;
	END;
COMMENT ON FUNCTION kpi.ltv(kpi.cohort, integer, double precision) IS
	'LTV at the given period: the cohort''s cumulative revenue up to and including it, times the margin rate (default 1.0), per customer; NULL for an empty cohort or a period without rows.';

CREATE FUNCTION kpi.ltv_to_cac(c kpi.cohort, period integer, cac double precision,
							   margin_rate double precision DEFAULT 1.0)
	RETURNS double precision
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN kpi.ltv(c, period, margin_rate) / NULLIF(cac, 0);
COMMENT ON FUNCTION kpi.ltv_to_cac(kpi.cohort, integer, double precision, double precision) IS
	'LTV at the given period over the cohort''s CAC (3 or more is the usual rule of thumb); NULL when CAC is zero.';

CREATE FUNCTION kpi.cac_payback_periods(c kpi.cohort, cac double precision,
										margin_rate double precision DEFAULT 1.0)
	RETURNS integer
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	BEGIN ATOMIC
		SELECT min(p.k - 1)::integer
		FROM (SELECT x.k, sum(x.r) OVER (ORDER BY x.k) AS cumulative
			  FROM pg_catalog.unnest((c).revenue) WITH ORDINALITY AS x(r, k)) AS p
		WHERE (c).customers > 0
		  AND p.cumulative::double precision * margin_rate / (c).customers >= cac;
	END;
COMMENT ON FUNCTION kpi.cac_payback_periods(kpi.cohort, double precision, double precision) IS
	'CAC payback: the first period since acquisition (0, 1, ...) in which the cumulative margin per customer reaches CAC; NULL if not yet.';

CREATE FUNCTION kpi.cohort_periods(c kpi.cohort, margin_rate double precision DEFAULT 1.0)
	RETURNS TABLE (period integer, customers bigint, active bigint, retention double precision,
				   revenue numeric, revenue_per_customer double precision, ltv double precision)
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 12
	BEGIN ATOMIC
		SELECT (x.k - 1)::integer, (c).customers, COALESCE(((c).active)[x.k], 0),
			   COALESCE(((c).active)[x.k], 0)::double precision / NULLIF((c).customers, 0),
			   x.r, x.r::double precision / NULLIF((c).customers, 0),
			   (sum(x.r) OVER (ORDER BY x.k))::double precision * margin_rate / NULLIF((c).customers, 0)
		FROM pg_catalog.unnest((c).revenue) WITH ORDINALITY AS x(r, k)
		ORDER BY x.k;
	END;
COMMENT ON FUNCTION kpi.cohort_periods(kpi.cohort, double precision) IS
	'One row per period since acquisition of a cohort summary: size, active customers, retention, revenue, revenue per customer and cumulative LTV (times the margin rate), the shape a retention heat map or pivot table needs.';
