-- Test data shared by the catalog tests (sql/catalog_*.sql, test/pgtap/catalog_*.sql,
-- test/catalog_dump_restore.sh): half a year of daily funnel numbers per channel
-- for a small B2B company.  Marketing spends and generates leads; sales turns
-- opportunities into new customers and revenue.  Every number is computed from
-- the day number i, so every run sees the same rows; paid search gets slowly
-- better over the half year.  Time is pinned with kpi.as_of.
SET TimeZone = 'UTC';
SET kpi.as_of = '2024-07-01 00:00:00+00';
CREATE TABLE public.funnel_daily (
	day           date NOT NULL,
	channel       text NOT NULL,
	spend         numeric(10,2) NOT NULL,
	leads         integer NOT NULL,
	opportunities integer NOT NULL,
	customers     integer NOT NULL,
	revenue       numeric(12,2) NOT NULL,
	PRIMARY KEY (day, channel)
);
INSERT INTO public.funnel_daily
SELECT '2024-01-01'::date + i, c.channel,
	   c.spend_base + (i % 9) * c.spend_step,
	   c.lead_base + (i % 5) + i / 45,
	   c.opp_base + (i % 4) + i / 60,
	   won.customers,
	   won.customers * c.deal_size + (i % 6) * 50
FROM pg_catalog.generate_series(0, 181) AS i,
	 (VALUES ('paid_search', 300, 20, 30, 8, 3, 0, 900),
			 ('social',      150, 10, 20, 5, 4, 1, 700),
			 ('email',        40,  2, 12, 4, 2, 1, 600))
		 AS c(channel, spend_base, spend_step, lead_base, opp_base, won_every, shift, deal_size),
	 LATERAL (SELECT 1 + ((i + c.shift) % c.won_every = 0)::integer
				+ (c.channel = 'paid_search' AND i % 11 < i / 30)::integer AS customers) AS won;
-- The same opportunities one row each, as sales records them: opened at a
-- time of day, won or lost, and still open (won IS NULL) in the last week.
CREATE TABLE public.opportunity_events (
	id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	opened_at timestamptz NOT NULL,
	channel   text NOT NULL,
	amount    numeric(10,2) NOT NULL,
	won       boolean
);
INSERT INTO public.opportunity_events (opened_at, channel, amount, won)
SELECT f.day + pg_catalog.make_interval(hours => 8 + k), f.channel, 500 + 100 * k,
	   CASE WHEN f.day >= '2024-06-24' AND k > f.customers THEN NULL ELSE k <= f.customers END
FROM public.funnel_daily AS f, pg_catalog.generate_series(1, f.opportunities) AS k
ORDER BY f.day, f.channel, k;
ANALYZE public.funnel_daily, public.opportunity_events;
