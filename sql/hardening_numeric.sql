--
-- Regression tests of issue 8's numeric findings, each failing on 0.1.0:
--   1. numerics stored out of line were read as garbage (every storage form,
--      plain aggregate, window and kpi.measure);
--   3. every kpi.ratio any kpi function produces round-trips through text
--      and binary COPY (a property over generated states; pg_dump/pg_restore
--      in test/ratio_dump_restore.sh);
--   4. a sliding window fails only where the same frame computed alone fails;
--   5. moving and plain aggregates agree, float inputs included;
--   8. transitions validate a state they did not build (a forged INITCOND),
--      and kpi.numerator of a float sum is what the docs say.
--
\i test/core_fixture.sql
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS hardening_numeric CASCADE;
DROP ROLE IF EXISTS kpi_hn_forger;
RESET client_min_messages;
CREATE SCHEMA hardening_numeric;
SET search_path = hardening_numeric, public;
SET extra_float_digits = 0;

------------------------------------------------------------------------------
-- 1. Every storage form of a numeric, through every path.
------------------------------------------------------------------------------

-- Values that fit kpi's exact 128-bit sums and are wide enough to be moved
-- out of line: from 1e16 down to 1e-20, ten base-10000 digits and a 4-byte
-- numeric header (dscale 100), 28 bytes.
CREATE TABLE wide_values AS
SELECT i, ((CASE WHEN i % 3 = 0 THEN -1 ELSE 1 END) *
		   ((100 + i * 7919 % 300)::numeric * 1e14 + (i * 104729 % 99989 * 10 + 3)::numeric * 1e-20 + 0.25)
		  )::numeric(1000, 100) AS x
FROM generate_series(1, 40) AS i;
SELECT min(pg_column_size(x)) AS narrowest_bytes FROM wide_values;

-- One table per form.  pad is stored plain and wide, so the tuple is over
-- the TOAST threshold and the toaster has to act on x.
CREATE TABLE form_inline_short (i int, x numeric, pad text);		-- 1-byte header, in the tuple
CREATE TABLE form_inline_long (i int, x numeric, pad text);		-- 4-byte header, in the tuple
ALTER TABLE form_inline_long ALTER x SET STORAGE PLAIN;
CREATE TABLE form_external (i int, x numeric, pad text);			-- TOAST pointer, value out of line
ALTER TABLE form_external ALTER x SET STORAGE EXTERNAL, ALTER pad SET STORAGE PLAIN;
-- Compression needs at least 32 bytes, more than 38 digits: such numerics
-- are beyond kpi's exact sums, and must be reported as such (22003), as
-- the same value inline is, never misread.
CREATE TABLE form_inline_compressed (i int, x numeric, pad text);
ALTER TABLE form_inline_compressed ALTER x SET STORAGE MAIN, ALTER pad SET STORAGE PLAIN;
CREATE TABLE form_external_compressed (i int, x numeric, pad text);
ALTER TABLE form_external_compressed ALTER x SET STORAGE EXTENDED, ALTER pad SET STORAGE PLAIN;

INSERT INTO form_inline_short SELECT i, (x / 1e12)::numeric(20, 2), 'p' FROM wide_values;
INSERT INTO form_inline_long SELECT i, x, 'p' FROM wide_values;
INSERT INTO form_external SELECT i, x, repeat('p', 2100) FROM wide_values;
INSERT INTO form_inline_compressed SELECT i, 1e200 + i, repeat('p', 2100) FROM generate_series(1, 5) i;
INSERT INTO form_external_compressed SELECT i, repeat('1234567890', 100)::numeric + i, repeat('p', 8100) FROM generate_series(1, 5) i;

-- The forms are what their names say: how many x are compressed, and how
-- many values the table's TOAST relation holds.
CREATE FUNCTION toasted_values(t regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	result bigint;
BEGIN
	EXECUTE format('SELECT count(DISTINCT chunk_id) FROM %s',
				   (SELECT reltoastrelid::regclass FROM pg_class WHERE oid = t)) INTO result;
	RETURN result;
END
$$;
SELECT t AS form, rows, compressed, toasted_values(t::regclass) AS out_of_line
FROM (SELECT 'form_inline_short' AS t, count(*) AS rows, count(pg_column_compression(x)) AS compressed FROM form_inline_short
	  UNION ALL SELECT 'form_inline_long', count(*), count(pg_column_compression(x)) FROM form_inline_long
	  UNION ALL SELECT 'form_external', count(*), count(pg_column_compression(x)) FROM form_external
	  UNION ALL SELECT 'form_inline_compressed', count(*), count(pg_column_compression(x)) FROM form_inline_compressed
	  UNION ALL SELECT 'form_external_compressed', count(*), count(pg_column_compression(x)) FROM form_external_compressed) f
ORDER BY form;

-- Plain aggregates, as numerator and as denominator, against sum()/sum():
-- the exact sums must be equal, the values equal to 1e-12.
CREATE FUNCTION form_check(t text) RETURNS TABLE (form text, sums_exact boolean, values_match boolean)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format($q$
		SELECT %1$L,
			   kpi.numerator(kpi.ratio_agg(x, i)) = sum(x) AND kpi.denominator(kpi.ratio_agg(i, x)) = sum(x),
			   close_enough(kpi.cac(x, i), (sum(x) / sum(i))::float8)
			   AND close_enough(kpi.roas(i, x), (sum(i) / sum(x))::float8)
			   AND close_enough(kpi.romi(x, i), ((sum(x) - sum(i)) / sum(i))::float8)
		FROM %1$I$q$, t);
END
$$;
SELECT (form_check(t)).* FROM unnest(ARRAY['form_inline_short', 'form_inline_long', 'form_external']) t ORDER BY 1;

-- Windows, against the plain aggregate recomputed over each frame.
CREATE FUNCTION form_window_check(t text) RETURNS TABLE (form text, frames bigint, mismatches bigint)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format($q$
		SELECT %1$L, count(*),
			   count(*) FILTER (WHERE w IS DISTINCT FROM r OR NOT close_enough(w, p) OR kpi.numerator(ws) <> rs)
		FROM (SELECT i, kpi.cac(x, i) OVER f AS w, kpi.ratio_agg(x, 1) OVER f AS ws
			  FROM %1$I WINDOW f AS (ORDER BY i ROWS 4 PRECEDING)) win
		CROSS JOIN LATERAL (SELECT (sum(x) / sum(i))::float8 AS p, kpi.cac(x, i) AS r, sum(x) AS rs
							FROM %1$I f WHERE f.i BETWEEN win.i - 4 AND win.i) frame$q$, t);
END
$$;
SELECT (form_window_check(t)).* FROM unnest(ARRAY['form_inline_short', 'form_inline_long', 'form_external']) t ORDER BY 1;

-- Beyond 128 bits: every form gives the same 22003, inline or not.
SELECT t AS form,
	   sqlstate_of(format('SELECT kpi.cac(x, 1) FROM %I', t)) AS plain,
	   sqlstate_of(format('SELECT kpi.cac(x, 1) OVER (ORDER BY i ROWS 1 PRECEDING) FROM %I', t)) AS "window",
	   sqlstate_of(format('SELECT kpi.cac(x + 0, 1) FROM %I', t)) AS same_value_inline
FROM unnest(ARRAY['form_inline_compressed', 'form_external_compressed']) t ORDER BY 1;
-- kpi.measure over each form: a KPI defined on the table, measured
-- against the plain-SQL ratio of sums.
CREATE TABLE measured AS
SELECT 'inline_short' AS form, DATE '2026-01-01' + i AS day, x, i AS customers FROM form_inline_short
UNION ALL SELECT 'inline_long', DATE '2026-01-01' + i, x, i FROM form_inline_long;
CREATE TABLE measured_external (form text, day date, x numeric, customers int, pad text);
ALTER TABLE measured_external ALTER x SET STORAGE EXTERNAL, ALTER pad SET STORAGE PLAIN;
INSERT INTO measured_external SELECT 'external', DATE '2026-01-01' + i, x, i, repeat('p', 2100) FROM wide_values;
SET kpi.enforce_smart = off;
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column, filters) VALUES
	('hn_cac_inline_short', 'cac', 'hardening_numeric.measured', 'day', 'x', 'customers', '{"form": "inline_short"}'),
	('hn_cac_inline_long', 'cac', 'hardening_numeric.measured', 'day', 'x', 'customers', '{"form": "inline_long"}'),
	('hn_cac_external', 'cac', 'hardening_numeric.measured_external', 'day', 'x', 'customers', '{}');
SELECT toasted_values('measured_external') AS external_values;
SELECT d.name,
	   close_enough(kpi.measure(d.name, '2026-01-01', '2026-03-01'),
					(SELECT (sum(x) / sum(customers))::float8
					 FROM (SELECT x, customers, form, day FROM measured
						   UNION ALL SELECT x, customers, form, day FROM measured_external) m
					 WHERE 'hn_cac_' || m.form = d.name)) AS matches_plain_sql
FROM kpi.definitions d WHERE d.name LIKE 'hn_cac_%' ORDER BY d.name;
DELETE FROM kpi.definitions WHERE name LIKE 'hn_cac_%';
RESET kpi.enforce_smart;

------------------------------------------------------------------------------
-- 3. Round trips: every generated state through text and binary COPY.
------------------------------------------------------------------------------

\i test/ratio_states.sql
-- Text: input(output(x)) = x, and the text itself is stable.
SELECT origin, count(*) AS states,
	   count(*) FILTER (WHERE NOT (r::text::kpi.ratio OPERATOR(kpi.=) r)) AS text_unequal,
	   count(*) FILTER (WHERE r::text <> r::text::kpi.ratio::text) AS text_unstable
FROM ratio_states GROUP BY origin ORDER BY origin;
-- Binary: recv(send(x)) = x, through COPY (FORMAT binary) into this run's
-- results directory, and the text COPY that pg_dump uses.
\copy ratio_states TO PROGRAM 'cat > "$PG_ABS_BUILDDIR/results/hardening_numeric.states.bin"' WITH (FORMAT binary)
CREATE TABLE states_back (LIKE ratio_states);
\copy states_back FROM PROGRAM 'cat "$PG_ABS_BUILDDIR/results/hardening_numeric.states.bin"' WITH (FORMAT binary)
SELECT count(*) AS states,
	   count(*) FILTER (WHERE NOT (a.r OPERATOR(kpi.=) b.r) OR a.r::text <> b.r::text) AS binary_unequal
FROM ratio_states a LEFT JOIN states_back b USING (id);
TRUNCATE states_back;
\copy ratio_states TO PROGRAM 'cat > "$PG_ABS_BUILDDIR/results/hardening_numeric.states.txt"'
\copy states_back FROM PROGRAM 'cat "$PG_ABS_BUILDDIR/results/hardening_numeric.states.txt"'
SELECT count(*) AS states,
	   count(*) FILTER (WHERE NOT (a.r OPERATOR(kpi.=) b.r) OR a.r::text <> b.r::text) AS copy_text_unequal
FROM ratio_states a LEFT JOIN states_back b USING (id);
-- The two named in the issue, as text.
SELECT origin, r FROM ratio_states WHERE origin IN ('numeric(60,40) 1e-20', 'unscaled -2^127') ORDER BY origin;
-- A summary that 0.1.0 stored with zeros beyond 36 places reads back.
SELECT '(n=1, num=0.0000000000000000000100000000000000000000, den=1)'::kpi.ratio AS stored_by_0_1_0,
	   sqlstate_of($$SELECT '(n=1, num=0.0000000000000000000000000000000000000001, den=1)'::kpi.ratio$$) AS beyond_36_places;

------------------------------------------------------------------------------
-- 4. Sliding windows fail only where the frame computed alone fails.
------------------------------------------------------------------------------

-- The issue's example: 1e-30 has left the frame before 1e9 arrives.
SELECT i, x, kpi.cac(x, 1) OVER (ORDER BY i ROWS 1 PRECEDING) AS w
FROM (VALUES (1, 1e-30), (2, 1), (3, 1e9), (4, 1e9)) v(i, x) ORDER BY i;

-- Generated sequences mixing high-scale small values and low-scale large
-- ones.  Each frame is computed alone (its error, if any, caught); the
-- window over a partition must succeed exactly when every frame does, and
-- then equal the frames' values.
SELECT setseed(0.4);
CREATE TABLE sliding AS
SELECT p, i,
	   CASE WHEN i <= 10 THEN	-- small values, some at 30 to 36 places
				CASE WHEN random() < 0.4 THEN round(random()::numeric * 1e-6, 30 + p % 7)
					 ELSE round(random()::numeric, 2) END
			WHEN p % 4 = 0 AND random() < 0.05 THEN round(random()::numeric * 1e-6, 30 + p % 7)
			ELSE round((random()::numeric - 0.3) * 10::numeric ^ (p % 29 + 3), p % 3) END AS x
FROM generate_series(1, 12) p, generate_series(1, 60) i;
-- Per partition and frame width: the window, and every frame computed
-- alone with the plain aggregate (one statement each; an error in either is
-- caught).  Three statements per partition keep the forced-parallel pass fast.
CREATE FUNCTION window_vs_frames(part int, width int,
								 OUT window_ok boolean, OUT frames_ok boolean, OUT mismatches bigint)
LANGUAGE plpgsql AS $$
BEGIN
	CREATE TEMP TABLE window_result (i int, w float8);
	BEGIN
		INSERT INTO window_result
		SELECT i, kpi.cac(x, 1) OVER (ORDER BY i ROWS BETWEEN width PRECEDING AND CURRENT ROW)
		FROM sliding WHERE p = part;
		window_ok := true;
	EXCEPTION WHEN numeric_value_out_of_range THEN
		window_ok := false;
	END;
	BEGIN
		SELECT count(*) FILTER (WHERE w.w IS DISTINCT FROM f.r) INTO mismatches
		FROM (SELECT DISTINCT i FROM sliding WHERE p = part) s
		CROSS JOIN LATERAL (SELECT kpi.cac(x, 1) AS r FROM sliding f
							WHERE f.p = part AND f.i BETWEEN s.i - width AND s.i) f
		LEFT JOIN window_result w ON w.i = s.i;
		frames_ok := true;
	EXCEPTION WHEN numeric_value_out_of_range THEN
		frames_ok := false;
		mismatches := NULL;
	END;
	DROP TABLE window_result;
END
$$;
SELECT width, count(*) AS partitions,
	   count(*) FILTER (WHERE frames_ok) AS every_frame_fits,
	   count(*) FILTER (WHERE frames_ok <> window_ok) AS disagreements,
	   sum(mismatches) FILTER (WHERE window_ok) AS value_mismatches
FROM generate_series(1, 12) p, unnest(ARRAY[1, 3, 8]) width,
	 LATERAL window_vs_frames(p, width)
GROUP BY width ORDER BY width;

------------------------------------------------------------------------------
-- 5. Moving and plain results agree, float inputs included.
------------------------------------------------------------------------------

-- Near break-even: revenue and cost sums differ in their last bits.
SELECT setseed(0.5);
CREATE TABLE break_even AS
SELECT i, c AS cost, c * (1 + (random() - 0.5) * 1e-15) AS revenue,
	   (c * 1e6)::numeric(30, 10) AS cost_n, random() < 0.3 AS won
FROM (SELECT i, power(10::float8, floor(random() * 12) - 4) * random() AS c FROM generate_series(1, 300) i) t;
SELECT agg, count(*) AS frames, count(*) FILTER (WHERE w IS DISTINCT FROM r) AS mismatches
FROM (SELECT i,
			 kpi.romi(revenue, cost) OVER f AS romi_w, kpi.cac(revenue, cost) OVER f AS cac_w,
			 kpi.roas(revenue, cost_n) OVER f AS roas_w, kpi.conversion_rate(won) OVER f AS conv_w,
			 kpi.romi_value(kpi.ratio_agg(revenue, cost) OVER f) AS summary_w
	  FROM break_even WINDOW f AS (ORDER BY i ROWS 5 PRECEDING)) win
CROSS JOIN LATERAL (SELECT kpi.romi(revenue, cost) AS romi_r, kpi.cac(revenue, cost) AS cac_r,
						   kpi.roas(revenue, cost_n) AS roas_r, kpi.conversion_rate(won) AS conv_r,
						   kpi.romi_value(kpi.ratio_agg(revenue, cost)) AS summary_r
					FROM break_even f WHERE f.i BETWEEN win.i - 5 AND win.i) frame
CROSS JOIN LATERAL (VALUES ('romi', romi_w, romi_r), ('cac', cac_w, cac_r), ('roas', roas_w, roas_r),
						   ('conversion_rate', conv_w, conv_r), ('romi_value(ratio_agg)', summary_w, summary_r)) c(agg, w, r)
GROUP BY agg ORDER BY agg;
-- The issue's kind of case: the same two rows, alone and after a third
-- row has left the frame.
SELECT kpi.romi(r, c) AS plain,
	   (SELECT kpi.romi(r, c) OVER (ORDER BY k ROWS 1 PRECEDING)
		FROM (VALUES (0, 5::float8, 0::float8), (1, 0.1, 0.3), (2, 0.2, 0)) v(k, r, c)
		ORDER BY k DESC LIMIT 1) AS sliding
FROM (VALUES (0.1::float8, 0.3::float8), (0.2, 0)) v(r, c);

------------------------------------------------------------------------------
-- 8. A forged state, and kpi.numerator of float sums.
------------------------------------------------------------------------------

CREATE ROLE kpi_hn_forger;
GRANT USAGE ON SCHEMA kpi TO kpi_hn_forger;
GRANT CREATE, USAGE ON SCHEMA hardening_numeric TO kpi_hn_forger;
SET ROLE kpi_hn_forger;
-- A double-double that is not normalised: 0.1.0 lost the small values.
CREATE AGGREGATE forged_pair(float8, float8) (SFUNC = kpi.ratio_accum, STYPE = kpi.ratio,
	FINALFUNC = kpi.numerator, INITCOND = '(n=1, num=~1e16+1e16, den=1)');
SELECT forged_pair(x, 1) = 2e16 + 6 AS forged_pair_sums_right FROM generate_series(1, 3) x;
-- No rows but a sum: refused.
CREATE AGGREGATE forged_empty(numeric, numeric) (SFUNC = kpi.ratio_accum, STYPE = kpi.ratio,
	FINALFUNC = kpi.value, INITCOND = '(n=0, num=5, den=0)');
SELECT sqlstate_of('SELECT hardening_numeric.forged_empty(x, 1) FROM generate_series(1, 3) x') AS forged_empty;
CREATE AGGREGATE forged_bool(boolean) (SFUNC = kpi.ratio_accum_bool, STYPE = kpi.ratio,
	FINALFUNC = kpi.value, INITCOND = '(n=0, num=-5, den=0)');
SELECT sqlstate_of('SELECT hardening_numeric.forged_bool(x) FROM (VALUES (true), (false)) v(x)') AS forged_bool;
CREATE AGGREGATE forged_rollup(kpi.ratio) (SFUNC = kpi.ratio_combine, STYPE = kpi.ratio,
	INITCOND = '(n=0, num=~0+1e300, den=0)');
SELECT sqlstate_of($$SELECT hardening_numeric.forged_rollup('(n=1, num=1, den=1)'::kpi.ratio)$$) AS forged_rollup;
-- A carried-forward total is a legitimate starting point.
CREATE AGGREGATE carried(numeric, numeric) (SFUNC = kpi.ratio_accum, STYPE = kpi.ratio,
	FINALFUNC = kpi.numerator, INITCOND = '(n=10, num=500.5, den=20)');
SELECT carried(x, 1) = 500.5 + 6 AS carried_forward FROM generate_series(1, 3) x;
RESET ROLE;

-- kpi.numerator and kpi.denominator are exact, float sums included: the
-- exact value of the double-double, the exact sum of the doubles (0.1.0
-- wrote each part as its shortest decimal).  The independent reference
-- builds a double's exact value from its bits: m * 2^e.
CREATE FUNCTION exact_double(x float8) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN x = 0 THEN 0
				WHEN e >= 0 THEN m * 2::numeric ^ e
				ELSE m * 5::numeric ^ (-e) * ('1e' || e)::numeric END
	FROM (SELECT (CASE WHEN bits < 0 THEN -1 ELSE 1 END) *
				 ((bits & ((1::int8 << 52) - 1)) | CASE WHEN ex > 0 THEN 1::int8 << 52 ELSE 0 END)::numeric AS m,
				 greatest(ex, 1) - 1075 AS e
		  FROM (SELECT bits, ((bits >> 52) & 2047)::int AS ex
				FROM (SELECT ('x' || encode(float8send(x), 'hex'))::bit(64)::int8 AS bits) b) c) d
$$;
SELECT kpi.numerator(kpi.ratio_agg(x, 1)) AS numerator,
	   kpi.numerator(kpi.ratio_agg(x, 1)) = sum(exact_double(x)) AS exact,
	   kpi.denominator(kpi.ratio_agg(1, x)) = sum(exact_double(x)) AS denominator_exact
FROM (VALUES (0.1::float8), (0.2)) v(x);
-- Random doubles across eight orders of magnitude, six to a group.
SELECT count(*) AS groups, count(*) FILTER (WHERE kpi.numerator(r) = s) AS exact_sums
FROM (SELECT g, kpi.ratio_agg(x, 1) AS r, sum(exact_double(x)) AS s
	  FROM (SELECT g, (random() - 0.5) * power(10::float8, floor(random() * 9) - 4) AS x
			FROM generate_series(1, 200) g, generate_series(1, 6)) t
	  GROUP BY g) u;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA hardening_numeric CASCADE;
DROP OWNED BY kpi_hn_forger;
DROP ROLE kpi_hn_forger;
