-- Acme GmbH's customer journeys and orders, for attribution and cohorts
-- (loaded after demo/company.sql).
--
-- acme.customers: every new customer of acme.funnel_daily, one row each,
--   with the day it signed and the channel the funnel books it under.
-- acme.touches: each customer's touches before signing, and the signing
--   itself (converted = true, through the funnel channel).  Paid search and
--   social are where most journeys start, email and direct visits fill the
--   middle, so first-touch and last-touch attribution disagree.
-- acme.orders: what each customer paid per month after signing; some stop
--   paying, some come back.
--
-- Deterministic like company.sql: arithmetic on the customer number, no
-- random(), so the demo prints the same output on every machine.

CREATE TABLE acme.customers (
	customer_id   integer PRIMARY KEY,
	signed_on     date    NOT NULL,
	channel       text    NOT NULL
);
COMMENT ON TABLE acme.customers IS 'Customers of Acme GmbH: the day they signed and the funnel channel they are booked under.';

INSERT INTO acme.customers
SELECT row_number() OVER (ORDER BY f.day, f.channel, i)::integer, f.day, f.channel
FROM acme.funnel_daily AS f, pg_catalog.generate_series(1, f.new_customers) AS i;

CREATE TABLE acme.touches (
	customer_id   integer     NOT NULL REFERENCES acme.customers,
	touched_at    timestamptz NOT NULL,
	channel       text,
	converted     boolean     NOT NULL DEFAULT false
);
COMMENT ON TABLE acme.touches IS 'Marketing and sales touches of Acme''s customers; the row with converted = true is the signing.';
CREATE INDEX touches_customer ON acme.touches (customer_id);

-- The signing: at noon, through the funnel channel.
INSERT INTO acme.touches
SELECT c.customer_id, c.signed_on + time '12:00', c.channel, true
FROM acme.customers AS c;
-- 0 to 4 earlier touches over the 10 to 79 days before signing (some
-- beyond a 60-day lookback); the earliest is mostly paid search or social.
INSERT INTO acme.touches
SELECT c.customer_id,
	   c.signed_on + time '09:00'
		 - (10 + (c.customer_id * 7) % 70) * (c.customer_id % 5 - j + 1) / (c.customer_id % 5) * interval '1 day',
	   CASE WHEN j = 1 THEN (ARRAY['paid_search', 'social', 'paid_search', 'social', 'events', 'email'])[1 + (c.customer_id * 5) % 6]
			ELSE (ARRAY['email', 'direct', 'social', 'paid_search', 'direct', 'outbound', 'email'])[1 + (c.customer_id * 3 + j * 5) % 7] END,
	   false
FROM acme.customers AS c, pg_catalog.generate_series(1, c.customer_id % 5) AS j;

CREATE TABLE acme.orders (
	customer_id   integer       NOT NULL REFERENCES acme.customers,
	ordered_on    date          NOT NULL,
	revenue       numeric(12,2) NOT NULL
);
COMMENT ON TABLE acme.orders IS 'Monthly orders of Acme''s customers, from the month they signed to February 2026.';

-- A customer orders in month k after signing when a fixed pattern says so:
-- nearly always at first, less often later, and not in a straight line.
INSERT INTO acme.orders
SELECT c.customer_id, (date_trunc('month', c.signed_on) + k * interval '1 month')::date + 14,
	   180 + (c.customer_id * 31) % 240
FROM acme.customers AS c,
	 pg_catalog.generate_series(0, 11) AS k
WHERE date_trunc('month', c.signed_on) + k * interval '1 month' < date '2026-03-01'
  AND (c.customer_id * 17 + k * 29) % 100 < 92 - 7 * k;

-- Helper views for attribution and cohorts (doc/attribution.md).

-- Credits per customer conversion under each model, 60-day lookback.
CREATE VIEW acme.attribution AS
SELECT m.model, x.customer_id, c.conversion_at, c.channel, c.credit
FROM pg_catalog.unnest(ARRAY['first_touch', 'last_touch', 'last_non_direct', 'linear',
							 'time_decay', 'position_based']) AS m(model),
	 LATERAL (SELECT t.customer_id, kpi.attribute(t.touched_at, t.channel, t.converted, m.model, '60 days') AS a
			  FROM acme.touches AS t GROUP BY t.customer_id) AS x,
	 kpi.credits(x.a) AS c;
COMMENT ON VIEW acme.attribution IS 'Each conversion''s credit per channel under each attribution model (60-day lookback).';

-- Spend and attributed customers per model, day and channel: rows that roll
-- up, so kpi.cac(spend, customers) over any days and channels is the
-- attributed CAC there (a ratio of sums, never an average of daily CACs), and
-- a catalog KPI can name the model in its filters.  Direct visits cost
-- nothing; a channel without credit on a day keeps its spend.
CREATE VIEW acme.attributed_funnel AS
SELECT COALESCE(s.model, a.model) AS model, COALESCE(s.day, a.day) AS day,
	   COALESCE(s.channel, a.channel) AS channel,
	   COALESCE(s.spend, 0) AS spend, COALESCE(a.customers, 0) AS customers
FROM (SELECT m.model, f.day, f.channel, f.total_spend AS spend
	  FROM (SELECT DISTINCT model FROM acme.attribution) AS m, acme.funnel_daily AS f) AS s
FULL JOIN (SELECT model, (conversion_at AT TIME ZONE 'Europe/Berlin')::date AS day, channel, sum(credit) AS customers
		   FROM acme.attribution GROUP BY 1, 2, 3) AS a
	   ON a.model = s.model AND a.day = s.day AND a.channel = s.channel;
COMMENT ON VIEW acme.attributed_funnel IS 'Spend and attributed customers per attribution model, day and channel; kpi.cac(spend, customers) over its rows is the attributed CAC.';

-- One row per customer and month since signing, up to February 2026, with
-- what the customer paid that month (0 when nothing): what kpi.cohort takes.
CREATE VIEW acme.customer_months AS
SELECT c.customer_id, date_trunc('month', c.signed_on)::date AS cohort, k.period,
	   COALESCE(sum(o.revenue), 0) AS revenue
FROM acme.customers AS c
CROSS JOIN LATERAL pg_catalog.generate_series(0,
		(extract(year FROM age(date '2026-02-01', date_trunc('month', c.signed_on))) * 12
		 + extract(month FROM age(date '2026-02-01', date_trunc('month', c.signed_on))))::integer) AS k(period)
LEFT JOIN acme.orders AS o
	   ON o.customer_id = c.customer_id
	  AND date_trunc('month', o.ordered_on) = date_trunc('month', c.signed_on) + k.period * interval '1 month'
GROUP BY c.customer_id, c.signed_on, k.period;
COMMENT ON VIEW acme.customer_months IS 'One row per customer and month since signing (period 0 = the month of signing), with that month''s revenue.';

-- The monthly cohorts, and their blended CAC: the month's sales and
-- marketing spend over the customers it signed.
CREATE VIEW acme.cohorts AS
SELECT m.cohort, m.summary, kpi.value(s.cac) AS cac
FROM (SELECT cohort, kpi.cohort(period, revenue) AS summary FROM acme.customer_months GROUP BY cohort) AS m
JOIN (SELECT date_trunc('month', day)::date AS cohort, kpi.ratio_agg(total_spend, new_customers) AS cac
	  FROM acme.funnel_daily GROUP BY 1) AS s USING (cohort);
COMMENT ON VIEW acme.cohorts IS 'Monthly acquisition cohorts of Acme (kpi.cohort) with their blended CAC.';

-- The retention view: one row per cohort and month since signing, for a
-- Metabase pivot table or heat map (cohort as rows, period as columns).
CREATE VIEW acme.retention AS
SELECT c.cohort, p.*
FROM acme.cohorts AS c, kpi.cohort_periods(c.summary) AS p;
COMMENT ON VIEW acme.retention IS 'Retention, revenue and cumulative LTV per cohort and month since signing.';
