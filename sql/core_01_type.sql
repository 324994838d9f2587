--
-- kpi.ratio: text and binary I/O, operators, accessors, malformed input.
--
\i test/core_fixture.sql
SET search_path = public, kpi;
SET extra_float_digits = 0;

-- The text form shows n, both sums and the moments.
SELECT kpi.ratio_agg(s, c) FROM (VALUES (10.50::numeric(12,2), 2), (20.25, 3)) v(s, c);
-- Moments checked independently: Σx² = 10.5² + 20.25², Σy² = 4 + 9, Σxy = 21 + 60.75.
SELECT 10.5^2 + 20.25^2 AS sxx, 2^2 + 3^2 AS syy, 10.5 * 2 + 20.25 * 3 AS sxy;
-- Float sums print with "~" and keep the low part of the double-double.
SELECT kpi.ratio_agg(s, c) FROM (VALUES (0.1::float8, 2), (0.2, 3)) v(s, c);

-- Exact text round trips, for every kind of sum.
CREATE TABLE ratios (label text, r kpi.ratio);
INSERT INTO ratios
SELECT 'numeric/int', kpi.ratio_agg(spend, customers) FROM marketing
UNION ALL SELECT 'float/bigint', kpi.ratio_agg(spend_f, customers_big) FROM marketing
UNION ALL SELECT 'int/int', kpi.ratio_agg(customers, leads) FROM marketing
UNION ALL SELECT 'numeric/numeric', kpi.ratio_agg(revenue, spend) FROM marketing
UNION ALL SELECT 'bool', kpi.ratio_agg(CASE WHEN won THEN 1 ELSE 0 END, 1) FROM marketing
UNION ALL SELECT 'huge', kpi.ratio_agg(x, 1) FROM (VALUES (9223372036854775807), (9223372036854775807)) v(x)
UNION ALL SELECT 'specials', kpi.ratio_agg(x, y) FROM (VALUES ('Infinity'::float8, 'NaN'::float8)) v(x, y)
UNION ALL SELECT 'tiny', kpi.ratio_agg(x, 1) FROM (VALUES (5e-324::float8), (1e-300)) v(x)
UNION ALL SELECT 'literal', '(n=2, num=-0.000000000000000000000000000001, den=~1e+16+1)'::kpi.ratio;
SELECT label, r::text::kpi.ratio OPERATOR(kpi.=) r AS text_round_trip,
	   r::text = r::text::kpi.ratio::text AS stable_text
FROM ratios ORDER BY label;

-- Binary and text COPY round trips, through psql (client side) into this
-- run's results directory: the test needs no access to the server's files.
\copy ratios TO PROGRAM 'cat > "$PG_ABS_BUILDDIR/results/core_01_type.ratios.bin"' WITH (FORMAT binary)
CREATE TABLE ratios_back (LIKE ratios);
\copy ratios_back FROM PROGRAM 'cat "$PG_ABS_BUILDDIR/results/core_01_type.ratios.bin"' WITH (FORMAT binary)
SELECT a.label, a.r OPERATOR(kpi.=) b.r AS binary_round_trip
FROM ratios a JOIN ratios_back b USING (label) ORDER BY a.label;
\copy ratios TO PROGRAM 'cat > "$PG_ABS_BUILDDIR/results/core_01_type.ratios.txt"'
TRUNCATE ratios_back;
\copy ratios_back FROM PROGRAM 'cat "$PG_ABS_BUILDDIR/results/core_01_type.ratios.txt"'
SELECT count(*) FILTER (WHERE a.r OPERATOR(kpi.=) b.r) AS equal, count(*) AS total
FROM ratios a JOIN ratios_back b USING (label);

-- Accessors return standard types, checked against plain SQL.
SELECT kpi.n(r) = (SELECT count(*) FROM marketing WHERE spend IS NOT NULL AND customers IS NOT NULL) AS n_ok,
	   kpi.numerator(r) = (SELECT sum(spend) FROM marketing WHERE customers IS NOT NULL) AS numerator_ok,
	   kpi.denominator(r) = (SELECT sum(customers) FROM marketing WHERE spend IS NOT NULL) AS denominator_ok,
	   kpi.value(r) = r::double precision AS cast_ok,
	   pg_typeof(kpi.value(r)) AS value_type, pg_typeof(kpi.numerator(r)) AS numerator_type,
	   pg_typeof(kpi.n(r)) AS n_type
FROM ratios WHERE label = 'numeric/int';
SELECT kpi.numerator(r), kpi.denominator(r) FROM ratios WHERE label = 'huge';
SELECT kpi.value('(n=0, num=0, den=0)'), kpi.value('(n=3, num=5, den=0)'),
	   kpi.romi_value('(n=1, num=300, den=100)'), kpi.romi_value('(n=1, num=300.5, den=~100)');

-- + merges: the sum of two halves is the summary of the whole.  Counts and
-- decimal sums are exact; the float moments agree to rounding (moments_close).
WITH halves AS (
	SELECT (SELECT kpi.ratio_agg(spend, customers) FROM marketing WHERE id <= 2000)
		   OPERATOR(kpi.+) (SELECT kpi.ratio_agg(spend, customers) FROM marketing WHERE id > 2000) AS merged,
		   (SELECT kpi.ratio_agg(spend, customers) FROM marketing) AS whole)
SELECT kpi.n(merged) = kpi.n(whole) AS n_ok,
	   kpi.numerator(merged) = kpi.numerator(whole) AS numerator_ok,
	   kpi.denominator(merged) = kpi.denominator(whole) AS denominator_ok,
	   kpi.value(merged) = kpi.value(whole) AS value_ok,
	   moments_close(merged, whole) AS moments_ok
FROM halves;
-- = compares decimal values, not spellings; <> is its negation.
SELECT '(n=1, num=1.50, den=2)'::kpi.ratio OPERATOR(kpi.=) '(n=1, num=1.5, den=2.000)' AS same_value,
	   '(n=1, num=1.5, den=2)'::kpi.ratio OPERATOR(kpi.<>) '(n=2, num=1.5, den=2)' AS different_n,
	   '(n=1, num=1, den=2)'::kpi.ratio OPERATOR(kpi.=) '(n=1, num=~1, den=2)' AS decimal_vs_float;
-- Moments may be left out on input; they are then unknown (NaN).
SELECT '(n=4, num=1, den=2)'::kpi.ratio;

-- Malformed input: 22P02 with the expected form; out of range: 22003.
SELECT 'junk'::kpi.ratio;
SELECT sqlstate_of($$SELECT 'junk'::kpi.ratio$$);
SELECT sqlstate_of($$SELECT ''::kpi.ratio$$);
SELECT sqlstate_of($$SELECT '(n=1, num=1)'::kpi.ratio$$);
SELECT sqlstate_of($$SELECT '(n=1, num=1, den=2'::kpi.ratio$$);
SELECT sqlstate_of($$SELECT '(n=1, num=1., den=2)'::kpi.ratio$$);
SELECT sqlstate_of($$SELECT '(n=1, num=1, den=2) x'::kpi.ratio$$);
SELECT sqlstate_of($$SELECT '(n=1, num=~, den=2)'::kpi.ratio$$);
SELECT sqlstate_of($$SELECT '(n=1, num=1, den=2, sxx=1)'::kpi.ratio$$);
SELECT sqlstate_of($$SELECT '(n=x, num=1, den=2)'::kpi.ratio$$);
SELECT sqlstate_of($$SELECT '(n=-1, num=1, den=2)'::kpi.ratio$$);
SELECT sqlstate_of($$SELECT '(n=99999999999999999999, num=1, den=2)'::kpi.ratio$$);
SELECT sqlstate_of($$SELECT '(n=1, num=999999999999999999999999999999999999999999, den=2)'::kpi.ratio$$);
SELECT sqlstate_of($$SELECT '(n=1, num=1.0000000000000000000000000000000000001, den=2)'::kpi.ratio$$);
SELECT sqlstate_of($$SELECT '(n=1, num=~1e999, den=2)'::kpi.ratio$$);
SELECT sqlstate_of($$SELECT '(n=1, num=~Infinity+1, den=2)'::kpi.ratio$$);

-- Binary input validates every field (22P03).  Each payload is made into a
-- one-row binary COPY stream, written out by printf(1) from its octal
-- escapes and read with psql's \copy: no file on the server is touched.
CREATE TABLE recv_target (r kpi.ratio);
CREATE FUNCTION binary_copy_stream(payload bytea) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT string_agg('\' || (b >> 6)::text || ((b >> 3) & 7)::text || (b & 7)::text, '' ORDER BY i)
	FROM (SELECT i, get_byte(s, i) AS b
		  FROM (SELECT '\x5047434f50590aff0d0a00'::bytea    -- signature
					   || '\x0000000000000000'::bytea       -- flags, header extension
					   || '\x0001'::bytea || int4send(length(payload)) || payload
					   || '\xffff'::bytea AS s) AS f,         -- trailer
			   generate_series(0, length(s) - 1) AS i) AS bytes
$$;
CREATE TABLE payload AS SELECT kpi.ratio_send('(n=1, num=1.5, den=~2+1e-20, sxx=2.25, syy=4, sxy=3)') AS p;
SELECT p FROM payload;
\set VERBOSITY sqlstate
-- untouched
SELECT binary_copy_stream(p) AS stream FROM payload \gset
\setenv KPI_COPY_STREAM :stream
\copy recv_target FROM PROGRAM 'printf "$KPI_COPY_STREAM"' WITH (FORMAT binary)
SELECT r::text AS received FROM recv_target;
TRUNCATE recv_target;
-- bad_version
SELECT binary_copy_stream(set_byte(p, 0, 2)) AS stream FROM payload \gset
\setenv KPI_COPY_STREAM :stream
\copy recv_target FROM PROGRAM 'printf "$KPI_COPY_STREAM"' WITH (FORMAT binary)
SELECT r::text AS received FROM recv_target;
TRUNCATE recv_target;
-- negative_n
SELECT binary_copy_stream(overlay(p PLACING '\xffffffffffffffff' FROM 2 FOR 8)) AS stream FROM payload \gset
\setenv KPI_COPY_STREAM :stream
\copy recv_target FROM PROGRAM 'printf "$KPI_COPY_STREAM"' WITH (FORMAT binary)
SELECT r::text AS received FROM recv_target;
TRUNCATE recv_target;
-- bad_kind
SELECT binary_copy_stream(set_byte(p, 9, 7)) AS stream FROM payload \gset
\setenv KPI_COPY_STREAM :stream
\copy recv_target FROM PROGRAM 'printf "$KPI_COPY_STREAM"' WITH (FORMAT binary)
SELECT r::text AS received FROM recv_target;
TRUNCATE recv_target;
-- bad_scale
SELECT binary_copy_stream(overlay(p PLACING '\x00ff' FROM 11 FOR 2)) AS stream FROM payload \gset
\setenv KPI_COPY_STREAM :stream
\copy recv_target FROM PROGRAM 'printf "$KPI_COPY_STREAM"' WITH (FORMAT binary)
SELECT r::text AS received FROM recv_target;
TRUNCATE recv_target;
-- truncated
SELECT binary_copy_stream(substring(p FROM 1 FOR 20)) AS stream FROM payload \gset
\setenv KPI_COPY_STREAM :stream
\copy recv_target FROM PROGRAM 'printf "$KPI_COPY_STREAM"' WITH (FORMAT binary)
SELECT r::text AS received FROM recv_target;
TRUNCATE recv_target;
-- trailing_byte
SELECT binary_copy_stream(p || '\x00'::bytea) AS stream FROM payload \gset
\setenv KPI_COPY_STREAM :stream
\copy recv_target FROM PROGRAM 'printf "$KPI_COPY_STREAM"' WITH (FORMAT binary)
SELECT r::text AS received FROM recv_target;
TRUNCATE recv_target;
-- infinite_with_low_part
SELECT binary_copy_stream(overlay(p PLACING float8send('Infinity') FROM 30 FOR 8)) AS stream FROM payload \gset
\setenv KPI_COPY_STREAM :stream
\copy recv_target FROM PROGRAM 'printf "$KPI_COPY_STREAM"' WITH (FORMAT binary)
SELECT r::text AS received FROM recv_target;
TRUNCATE recv_target;
-- empty
SELECT binary_copy_stream(''::bytea) AS stream FROM payload \gset
\setenv KPI_COPY_STREAM :stream
\copy recv_target FROM PROGRAM 'printf "$KPI_COPY_STREAM"' WITH (FORMAT binary)
SELECT r::text AS received FROM recv_target;
TRUNCATE recv_target;
\set VERBOSITY default
