--
-- The data test/sqlsmith.sh fuzzes kpi with, and what every query it keeps as
-- a regression test starts from (\i test/sqlsmith/fixture.sql): the schema
-- smith with a small funnel table whose columns have every input type of the
-- kpi aggregates, a table of edge values (NULL, zero, negative, huge, tiny,
-- NaN, ±Infinity, high-scale and out-of-line numerics), stored kpi.ratio
-- summaries, and four KPI definitions named smith_* over them.
--
-- Idempotent, and needs nothing but the extension: the tests of one run
-- share a database.
--
\set ECHO none
\set QUIET on
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS smith CASCADE;
DELETE FROM kpi.reviews WHERE name LIKE 'smith\_%';
DELETE FROM kpi.target_history WHERE name LIKE 'smith\_%';
DELETE FROM kpi.definitions WHERE name LIKE 'smith\_%';
RESET client_min_messages;

CREATE SCHEMA smith;

-- A funnel: 152 days by 3 channels, with a few NULLs and zero denominators.
CREATE TABLE smith.funnel (
	day          date NOT NULL,
	at           timestamptz NOT NULL,
	channel      text NOT NULL,
	spend        numeric(12,2),
	spend_f      double precision,
	leads        integer,
	customers    bigint,
	won          boolean,
	revenue      numeric,
	summary      kpi.ratio,
	PRIMARY KEY (channel, day)
);
INSERT INTO smith.funnel (day, at, channel, spend, spend_f, leads, customers, won, revenue)
SELECT d::date, d + interval '9 hours', c,
	   CASE WHEN (i + k) % 17 = 0 THEN NULL ELSE round((100 + (i * 37 + k * 11) % 250)::numeric, 2) END,
	   (100 + (i * 37 + k * 11) % 250) / 3.0,
	   (i * 7 + k) % 40,
	   CASE WHEN (i + 2 * k) % 13 = 0 THEN NULL ELSE ((i * 3 + k) % 5)::bigint END,
	   (i + k) % 3 = 0,
	   round(((i * 53 + k * 29) % 900)::numeric / 7, 4)
FROM generate_series(timestamptz '2025-10-01', '2026-03-01', interval '1 day') WITH ORDINALITY AS g(d, i),
	 unnest(ARRAY['search', 'social', 'events']) WITH ORDINALITY AS ch(c, k);
UPDATE smith.funnel SET summary = s.summary
FROM (SELECT channel, day, kpi.ratio_agg(spend, customers) OVER (PARTITION BY channel ORDER BY day ROWS 6 PRECEDING) AS summary
	  FROM smith.funnel) AS s
WHERE s.channel = funnel.channel AND s.day = funnel.day;

-- Edge values: each column of one row is a hard case for its type.
CREATE TABLE smith.edge (
	id      integer PRIMARY KEY,
	i       integer,
	b       bigint,
	n       numeric,
	f       double precision,
	flag    boolean,
	t       text,
	d       date,
	ts      timestamptz,
	iv      interval,
	summary kpi.ratio
);
INSERT INTO smith.edge VALUES
	(1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
	(2, 0, 0, 0, 0, false, '', '2026-01-01', '2026-01-01', '0 days', '(n=0, num=0, den=0)'),
	(3, -1, -1, -1, -1, true, ' ', '2025-12-31', '2025-12-31 23:59:59+00', '-7 days', '(n=1, num=~-1, den=0, sxx=1, syy=0, sxy=0)'),
	(4, 2147483647, 9223372036854775807, 1e300, 1.7976931348623157e308, true, 'x', 'infinity', 'infinity', '300000 years', NULL),
	(5, -2147483648, -9223372036854775808, -1e300, -1.7976931348623157e308, false, 'ä€😀', '-infinity', '-infinity', '-300000 years', NULL),
	(6, 1, 1, 'NaN', 'NaN', true, 'NaN', '4713-01-01 BC', '4713-01-01 BC', '1 microsecond', NULL),
	(7, 2, 2, 1e-30, 'Infinity', false, 'Infinity', '5874897-12-31', '294276-12-31 23:59:59+00', '1 mon', NULL),
	(8, 3, 3, -1e-30, '-Infinity', true, repeat('k', 3000), '2024-02-29', now(), '1 day -24 hours', NULL),
	(9, 4, 4, 123456789012345678901234567890.123456789012345678901234567890, 5e-324, NULL, 'kpi.cac', '2026-03-01', '2026-03-01', '1 year', NULL),
	(10, 5, 5, 0.0000000000000000000100000000000000000000, 1e-300, true, 'smith_cac', '2026-03-02', '2026-03-02', '00:00:01', NULL);
-- A numeric of 6,000 digits, stored out of line (STORAGE EXTERNAL: no
-- compression), and one compressed in line.
ALTER TABLE smith.edge ALTER COLUMN n SET STORAGE EXTERNAL;
INSERT INTO smith.edge (id, i, b, n, f) VALUES
	(11, 6, 6, ('1' || repeat('0', 3000) || '.' || repeat('3', 2999) || '1')::numeric, 6),
	(12, 7, 7, -('9' || repeat('0', 900))::numeric, 7);
-- Summaries of each row's own values, where kpi can sum them: in 128-bit
-- integers, in floats, and one of scale 40.
UPDATE smith.edge SET summary = (SELECT kpi.ratio_agg(e.i, e.b) FROM smith.edge AS e WHERE e.id = edge.id)
WHERE id IN (4, 5, 9, 11, 12);
UPDATE smith.edge SET summary = (SELECT kpi.ratio_agg(e.f, e.i) FROM smith.edge AS e WHERE e.id = edge.id)
WHERE id IN (6, 7, 8);
UPDATE smith.edge SET summary = (SELECT kpi.ratio_agg(e.n, e.i) FROM smith.edge AS e WHERE e.id = edge.id)
WHERE id = 10;

-- Four KPIs over the funnel, one of each kind of metric; due dates in 2026,
-- written on 2026-03-02 (kpi.as_of), when the data ends.
SET kpi.as_of = '2026-03-02 09:00';
SET client_min_messages = error;
INSERT INTO kpi.definitions
	(name, title, description, owner, teams, objective, metric, stage,
	 numerator_column, denominator_column, filters, unit, direction, baseline, target,
	 source, time_column, starts_on, due_on, review_every)
VALUES
	('smith_cac', 'CAC', 'Spend per new customer acquired.', 'Ann', '{marketing,sales}', 'Grow', 'cac', 'customer',
	 'spend', 'customers', '{}', 'EUR', 'lower_is_better', 60, 55, 'smith.funnel', 'day', '2026-01-05', '2026-06-29', '7 days'),
	('smith_win_rate', 'Win rate', 'Share of search leads that are won.', 'Bob', '{sales}', 'Close more', 'conversion_rate', 'customer',
	 'won', NULL, '{"channel": "search"}', 'ratio', 'higher_is_better', 0.3, 0.35, 'smith.funnel', 'at', '2026-01-05', '2026-06-29', '7 days'),
	('smith_romi', 'ROMI', 'Revenue less spend, per euro spent.', 'Ann', '{marketing}', 'Pay back', 'romi', 'revenue',
	 'revenue', 'spend_f', '{}', 'ratio', 'higher_is_better', -0.5, -0.4, 'smith.funnel', 'day', '2026-01-05', '2026-06-29', '1 mon'),
	('smith_leads', 'Leads', 'New leads of every channel, per week.', 'Cy', '{marketing}', 'More leads', 'sum', 'lead',
	 'leads', NULL, '{}', 'leads', 'higher_is_better', 100, 120, 'smith.funnel', 'day', '2026-01-05', '2026-06-29', '7 days');
RESET client_min_messages;
RESET kpi.as_of;
\set QUIET off
\set ECHO all
