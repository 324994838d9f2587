-- The sample company of the demo: Acme GmbH, two years of daily funnel data
-- per channel, from 2024-03-03 to 2026-03-01 (the year before 2025-03-02 is
-- there for year-over-year comparisons; its rows follow the same rules, with
-- the noise taken modulo as for the later days).
--
-- One row per day and channel with what marketing spent, what sales spent,
-- and what came out of the funnel: leads, opportunities, won deals, new
-- customers and revenue.  The "events" channel only has rows on event days,
-- so a KPI on events alone has weeks without data.
--
-- On 2026-01-05 the two teams start a joint plan (see demo.sql).  From then
-- on, paid search and social get cheaper per customer and the sales team
-- closes a little more often; lead qualification stays where it was.
--
-- The numbers are deterministic: the day-to-day noise is arithmetic, not
-- random(), so the demo prints the same output on every machine.

CREATE SCHEMA acme;
COMMENT ON SCHEMA acme IS 'Sample company of the kpi demo.';

CREATE TABLE acme.funnel_daily (
	day              date          NOT NULL,
	channel          text          NOT NULL,
	marketing_spend  numeric(12,2) NOT NULL,
	sales_spend      numeric(12,2) NOT NULL,
	total_spend      numeric(12,2) GENERATED ALWAYS AS (marketing_spend + sales_spend) STORED,
	leads            integer       NOT NULL,
	opportunities    integer       NOT NULL,
	won_deals        integer       NOT NULL,
	new_customers    integer       NOT NULL,
	revenue          numeric(12,2) NOT NULL,
	PRIMARY KEY (channel, day)
);
COMMENT ON TABLE acme.funnel_daily IS 'Daily marketing and sales funnel of Acme GmbH, per channel.';

-- The index every KPI source needs: on its time column.
CREATE INDEX funnel_daily_day ON acme.funnel_daily (day);

WITH channel (channel, ord, spend, sdr, leads, qualify, win, deal_size, cheaper) AS (
	VALUES
		-- daily marketing spend, daily sales spend, leads per weekday,
		-- lead→opportunity rate, opportunity→win rate, revenue per deal,
		-- weekly spend reduction under the plan
		('paid_search', 1, 1450.00, 500.00, 34, 0.30, 0.24, 2400.00, 0.011),
		('social',      2,  900.00, 350.00, 26, 0.27, 0.22, 2100.00, 0.011),
		('email',       3,  180.00, 250.00, 14, 0.36, 0.30, 2600.00, 0.000),
		('events',      4, 9000.00, 900.00, 90, 0.34, 0.27, 3900.00, 0.000),
		('outbound',    5,   60.00, 950.00,  9, 0.31, 0.28, 3300.00, 0.000)
),
calendar AS (
	SELECT d::date AS day,
		   (d::date - date '2025-03-02') AS n,
		   extract(isodow FROM d) AS dow,
		   -- weeks into the joint plan, 0 before it starts
		   greatest(0, (d::date - date '2026-01-05') / 7.0) AS plan_weeks
	FROM pg_catalog.generate_series(date '2024-03-03', date '2026-03-01', interval '1 day') AS d
),
raw AS (
	SELECT cal.day, ch.channel,
		   -- spend follows the plan; a little noise keeps the numbers honest
		   ch.spend * (1 - ch.cheaper * cal.plan_weeks) * (1 + 0.10 * (((((cal.n * 37 + ch.ord * 11) % 21) + 21) % 21) - 10) / 10.0) AS mspend,
		   ch.sdr * (1 + 0.05 * (((((cal.n * 13 + ch.ord * 7) % 11) + 11) % 11) - 5) / 5.0) AS sspend,
		   -- fewer leads at the weekend; a seasonal swell in early summer
		   ch.leads * CASE WHEN cal.dow >= 6 THEN 0.45 ELSE 1.0 END
				   * (1 + 0.12 * sin(2 * pi() * cal.n / 365.0))
				   * (1 + 0.15 * (((((cal.n * 53 + ch.ord * 29) % 17) + 17) % 17) - 8) / 8.0) AS leads,
		   ch.qualify * (1 + 0.08 * (((((cal.n * 19 + ch.ord * 3) % 13) + 13) % 13) - 6) / 6.0) AS qualify,
		   -- sales closes 0.2 points more per week under the plan
		   (ch.win + 0.002 * cal.plan_weeks) * (1 + 0.10 * (((((cal.n * 23 + ch.ord * 5) % 9) + 9) % 9) - 4) / 4.0) AS win,
		   ch.deal_size * (1 + 0.20 * (((((cal.n * 31 + ch.ord * 17) % 15) + 15) % 15) - 7) / 7.0) AS deal_size
	FROM calendar cal
	CROSS JOIN channel ch
	-- events happen on two days every four weeks
	WHERE ch.channel <> 'events' OR (cal.n % 28 + 28) % 28 IN (10, 11)
),
funnel AS (
	SELECT day, channel, mspend, sspend,
		   round(leads)::integer AS leads,
		   round(leads * qualify)::integer AS opportunities,
		   round(leads * qualify * win)::integer AS won_deals,
		   round(leads * qualify * win * 0.85)::integer AS new_customers,
		   deal_size
	FROM raw
)
INSERT INTO acme.funnel_daily
	(day, channel, marketing_spend, sales_spend, leads, opportunities, won_deals, new_customers, revenue)
SELECT day, channel, round(mspend, 2), round(sspend, 2), leads, opportunities, won_deals, new_customers,
	   round(won_deals * deal_size, 2)
FROM funnel
ORDER BY day, channel;

ANALYZE acme.funnel_daily;
