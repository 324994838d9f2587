-- Every kpi aggregate, split the way Citus splits it, against the plain
-- aggregate over the same rows.  Run by test/citus_convention.sh after
-- setup.sql.  The aggregates come from pg_aggregate, so a new one is covered
-- without touching this file; an argument type with no test column fails.

\set ON_ERROR_STOP on
SET search_path = public;

-- The rows: every argument type kpi aggregates take, with NULLs, negative
-- values, numeric scales 0..4, full-precision doubles and exact per-row
-- summaries.  Integers stay small so that the moments of integer inputs are
-- exact sums (below 2^53).
SELECT setseed(0.25) AS seed \gset
CREATE TABLE facts AS
SELECT i,
	   CASE WHEN i % 17 = 0 THEN NULL ELSE (i * 37 % 101) - 20 END AS xi,
	   (i % 9) + 1 AS yi,
	   (i * 7919 % 1000)::bigint AS xl,
	   CASE WHEN i % 23 = 0 THEN NULL ELSE (i % 11)::bigint END AS yl,
	   round((random() * 2000 - 500)::numeric, i % 5) AS xn,
	   round((random() * 50)::numeric, 2) AS yn,
	   (random() * 1000)::float8 AS xf,
	   CASE WHEN i % 29 = 0 THEN NULL ELSE random()::float8 END AS yf,
	   CASE WHEN i % 13 = 0 THEN NULL ELSE random() < 0.3 END AS b
FROM pg_catalog.generate_series(1, 3000) AS i;
ALTER TABLE facts ADD COLUMN s kpi.ratio;
UPDATE facts SET s = (SELECT kpi.ratio_agg(v.x, v.y) FROM (VALUES (xi, yi)) AS v(x, y));
-- kpi.cohort: a period since acquisition (never negative: that is an error),
-- and per-row cohort summaries to roll up.
ALTER TABLE facts ADD COLUMN p integer, ADD COLUMN co kpi.cohort;
UPDATE facts SET p = i % 7;
UPDATE facts SET co = (SELECT kpi.cohort(v.p, v.r) FROM (VALUES (p, yn)) AS v(p, r));

-- The test column for the n-th argument (1 or 2) of a given type; NULL if none.
CREATE FUNCTION kpi_citus_convention.column_for(arg_type regtype, arg_position bigint, aggregate text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN aggregate = 'kpi.cohort' AND arg_type = 'integer'::regtype THEN 'p'
		ELSE CASE arg_type
		WHEN 'boolean'::regtype THEN 'b'
		WHEN 'kpi.ratio'::regtype THEN 's'
		WHEN 'kpi.cohort'::regtype THEN 'co'
		ELSE CASE arg_position WHEN 1 THEN 'x' ELSE 'y' END ||
			 CASE arg_type
				 WHEN 'integer'::regtype THEN 'i'
				 WHEN 'bigint'::regtype THEN 'l'
				 WHEN 'numeric'::regtype THEN 'n'
				 WHEN 'double precision'::regtype THEN 'f'
			 END
		END
	END
$$;

-- kpi.ratio results: the count and sums must be identical (text included);
-- the moments must be identical for integer inputs (exact sums) and agree to
-- rounding otherwise (plain doubles summed in a different order).
CREATE FUNCTION kpi_citus_convention.same_result(plain text, split text, result_type regtype,
												 exact_moments boolean) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	moment text;
	a double precision;
	b double precision;
BEGIN
	IF plain IS NOT DISTINCT FROM split THEN
		RETURN true;
	END IF;
	IF result_type <> 'kpi.ratio'::regtype OR exact_moments OR plain IS NULL OR split IS NULL THEN
		RETURN false;
	END IF;
	IF regexp_replace(plain, ', sxx=.*$', '') <> regexp_replace(split, ', sxx=.*$', '') THEN
		RETURN false;
	END IF;
	FOREACH moment IN ARRAY ARRAY['sxx', 'syy', 'sxy'] LOOP
		a := substring(plain FROM moment || '=([^,)]+)')::double precision;
		b := substring(split FROM moment || '=([^,)]+)')::double precision;
		IF abs(a - b) > 1e-12 * greatest(abs(a), abs(b)) THEN
			RETURN false;
		END IF;
	END LOOP;
	RETURN true;
END
$$;

CREATE FUNCTION kpi_citus_convention.check_all()
RETURNS TABLE (aggregate text, partitions int, combine_order text, verdict text, plain text, split text)
LANGUAGE plpgsql AS $$
DECLARE
	agg record;
	columns text;
	missing boolean;
	plain_result text;
	split_result text;
	exact_moments boolean;
	k int;
	ord text;
BEGIN
	FOR agg IN
		SELECT p.oid::regprocedure AS signature, p.oid, p.proargtypes::regtype[] AS arg_types,
			   p.prorettype::regtype AS result_type, a.aggtranstype::regtype AS state_type,
			   a.aggcombinefn::oid AS combinefn
		FROM pg_proc AS p
		JOIN pg_aggregate AS a ON a.aggfnoid = p.oid
		WHERE p.pronamespace = 'kpi'::regnamespace
		ORDER BY 1::text
	LOOP
		aggregate := agg.signature::text;
		IF agg.state_type = 'internal'::regtype OR agg.combinefn = 0 THEN
			-- Citus does not split it: it pulls the rows to the coordinator
			-- (kpi.attribute is grouped by customer, the distribution column).
			partitions := NULL; combine_order := NULL; plain := NULL; split := NULL;
			verdict := 'not split (Citus runs it on the coordinator)';
			RETURN NEXT;
			CONTINUE;
		END IF;
		SELECT string_agg(kpi_citus_convention.column_for(t, n, agg.oid::regproc::text), ', ' ORDER BY n),
			   bool_or(kpi_citus_convention.column_for(t, n, agg.oid::regproc::text) IS NULL)
		INTO columns, missing
		FROM unnest(agg.arg_types) WITH ORDINALITY AS u(t, n);
		IF missing OR columns IS NULL THEN
			partitions := NULL; combine_order := NULL; plain := NULL; split := NULL;
			verdict := 'FAIL: no test column for an argument type of ' || agg.arg_types::text;
			RETURN NEXT;
			CONTINUE;
		END IF;
		exact_moments := NOT ('numeric'::regtype = ANY (agg.arg_types) OR
							  'double precision'::regtype = ANY (agg.arg_types));
		EXECUTE format('SELECT %s(%s)::text FROM facts', agg.oid::regproc, columns) INTO plain_result;
		FOREACH k IN ARRAY ARRAY[1, 2, 3, 7, 16] LOOP
			FOREACH ord IN ARRAY ARRAY['part DESC', 'md5(state)'] LOOP
				-- One "worker" per partition, plus one that had no rows.
				EXECUTE format(
					'WITH workers AS ('
					'  SELECT abs(hashint4(i)) %% %1$s AS part,'
					'         kpi_citus_convention.worker_partial_agg(%2$L::regprocedure, %3$s) AS state'
					'  FROM facts GROUP BY 1'
					'  UNION ALL SELECT -1, NULL)'
					'SELECT kpi_citus_convention.coord_combine_agg(%2$L::regprocedure, state, NULL::%4$s'
					'                                             ORDER BY %5$s)::text FROM workers',
					k, agg.oid::regprocedure, columns, agg.result_type, ord)
				INTO split_result;
				partitions := k;
				combine_order := ord;
				plain := plain_result;
				split := split_result;
				verdict := CASE WHEN kpi_citus_convention.same_result(plain_result, split_result,
																	  agg.result_type, exact_moments)
								THEN 'ok' ELSE 'FAIL: differs from the plain aggregate' END;
				RETURN NEXT;
			END LOOP;
		END LOOP;
	END LOOP;
END
$$;

\pset footer off
-- The C symbols of kpi 0.1.0 that read their argument types from fn_expr
-- stay in the library for installations not yet updated; no function of
-- this version may be bound to them (the moving transitions are covered
-- here, as Citus never calls them through worker_partial_agg).
\echo 'functions bound to a symbol that reads fn_expr (none expected):'
SELECT p.oid::regprocedure AS function, p.prosrc AS symbol, 'FAIL: reads fn_expr' AS verdict
FROM pg_proc AS p
WHERE p.pronamespace = 'kpi'::regnamespace AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
  AND p.prosrc IN ('kpi_ratio_summary_accum', 'kpi_ratio_moving_accum', 'kpi_ratio_moving_retract',
				   'kpi_ratio_summary_moving_accum', 'kpi_ratio_summary_moving_retract');

\echo 'failures (none expected):'
SELECT aggregate, partitions, combine_order, verdict, plain, split
FROM kpi_citus_convention.check_all() WHERE verdict NOT LIKE 'ok%' AND verdict NOT LIKE 'not split%';
\pset tuples_only on
SELECT format('summary: %s aggregates, %s split runs ok, %s not split, %s failures',
			  count(DISTINCT aggregate),
			  count(*) FILTER (WHERE verdict = 'ok'),
			  count(*) FILTER (WHERE verdict LIKE 'not split%'),
			  count(*) FILTER (WHERE verdict LIKE 'FAIL%'))
FROM kpi_citus_convention.check_all();
