/* kpi -- the KPI catalog, part 3: the SMART rules */

/*
 *   kpi.smart_check(kpi_name text) / kpi.smart_check(definition kpi.definitions)
 *       → TABLE (criterion text, passed boolean, detail text), in kpi.language
 *   kpi.smart_criteria(definition kpi.definitions)
 *       → TABLE (criterion_key text, criterion text, passed boolean, detail text)
 *       The same with a language-independent key: specific, measurable, attractive, realistic, time_bound.
 *   kpi.smart_report                  view: one row per definition, the five criteria, smart, problems
 *   kpi.smart_verdicts                the verdict of the last SMART check of each active
 *                                     KPI, taken once per write of it; kept by pg_dump
 *   kpi.recheck_smart(kpi_name text) / kpi.recheck_smart(definition kpi.definitions) → boolean
 *       Takes the SMART check again and keeps the verdict.
 *   The AFTER trigger on kpi.definitions applies kpi.enforce_smart on every
 *   write and keeps the verdict.
 */

------------------------------------------------------------------------------
-- SMART checks.
------------------------------------------------------------------------------

-- A number as people read it: about six significant digits.
CREATE FUNCTION kpi.show_number(value double precision) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE
		WHEN value = 0 OR value IN ('Infinity', '-Infinity', 'NaN') THEN value::text
		ELSE pg_catalog.trim_scale(pg_catalog.round(value::numeric,
			GREATEST(0, 5 - pg_catalog.floor(pg_catalog.log(pg_catalog.abs(value)::numeric))::integer)))::text
		END;
COMMENT ON FUNCTION kpi.show_number(double precision) IS
	'Internal: a number rounded to about six significant digits, for SMART details.';

CREATE FUNCTION kpi.show_date(day date) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN pg_catalog.to_char(day, 'YYYY-MM-DD');
COMMENT ON FUNCTION kpi.show_date(date) IS
	'Internal: a date as YYYY-MM-DD whatever the DateStyle, for SMART details.';

-- A review cadence as people say it, in whole days or months where it is
-- one, independent of the session's IntervalStyle.
CREATE FUNCTION kpi.show_interval(every interval) RETURNS text
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	days integer := pg_catalog.date_part('day', every)::integer;
	months integer := (pg_catalog.date_part('year', every) * 12 + pg_catalog.date_part('month', every))::integer;
BEGIN
	IF every = pg_catalog.make_interval(days => days) AND days <> 0 THEN
		RETURN days || CASE WHEN days = 1 THEN kpi.translate(' day', ' Tag') ELSE kpi.translate(' days', ' Tage') END;
	ELSIF every = pg_catalog.make_interval(months => months) AND months <> 0 THEN
		RETURN months || CASE WHEN months = 1 THEN kpi.translate(' month', ' Monat') ELSE kpi.translate(' months', ' Monate') END;
	END IF;
	RETURN every::text;
END
$$;
COMMENT ON FUNCTION kpi.show_interval(interval) IS
	'Internal: an interval of whole days or months as "7 days" or "1 month" (German with kpi.language = de), for SMART details.';

-- One row of kpi.smart_criteria: passed when there are no problems; the
-- detail lists the problems, or says what was found when there are none.
CREATE TYPE kpi.smart_criterion AS (criterion_key text, criterion text, passed boolean, detail text);
COMMENT ON TYPE kpi.smart_criterion IS
	'Internal: one SMART criterion as kpi.smart_criteria returns it: a language-independent key, the name in kpi.language, passed, and the detail.';

-- PL/pgSQL, so that a caller assigns the result as a simple expression
-- rather than running a query for each criterion.
CREATE FUNCTION kpi.smart_verdict(key text, problems text[], passed_detail text)
	RETURNS kpi.smart_criterion
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN ROW(key,
			   CASE key
				   WHEN 'specific' THEN kpi.translate('specific', 'Spezifisch')
				   WHEN 'measurable' THEN kpi.translate('measurable', 'Messbar')
				   WHEN 'attractive' THEN kpi.translate('attractive', 'Attraktiv')
				   WHEN 'realistic' THEN kpi.translate('realistic', 'Realistisch')
				   WHEN 'time_bound' THEN kpi.translate('time_bound', 'Termingebunden') END,
			   COALESCE(pg_catalog.cardinality(problems), 0) = 0,
			   CASE WHEN COALESCE(pg_catalog.cardinality(problems), 0) = 0 THEN passed_detail
					ELSE pg_catalog.array_to_string(problems, ' ') END)::kpi.smart_criterion;
END
$$;
COMMENT ON FUNCTION kpi.smart_verdict(text, text[], text) IS
	'Internal: a row of kpi.smart_criteria from the criterion, its problems and the detail to show when there are none; the name follows kpi.language.';

/*
 * The five SMART criteria of a definition, in order, with a stable key, the
 * name in the session's language, and a detail that says what is wrong and
 * what to do (or, when passed, what was found).  Measures the source for
 * the caller (kpi.read_source: only what the caller may SELECT, read as the
 * source's owner); never fails on a broken definition.
 */
CREATE FUNCTION kpi.smart_criteria(definition kpi.definitions)
	RETURNS TABLE (criterion_key text, criterion text, passed boolean, detail text)
	LANGUAGE plpgsql STABLE PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions := definition;
	problems text[];
	measure_blockers text[];
	period record;
	current_value double precision;
	current_rows bigint;
	span_days integer;
	periods_to_due double precision;
	required double precision;
	best double precision;
	history_periods integer;
	found text;		-- what the realistic check found
	steepest record;	-- the plan's steepest step (kpi.plans), if it has a plan
	verdicts kpi.smart_criterion[] := '{}';
	sign double precision := CASE d.direction WHEN 'lower_is_better' THEN -1 ELSE 1 END;
	-- The review period; weekly when review_every is unset or not positive
	-- (time_bound reports that).
	every interval := CASE WHEN d.review_every > interval '0' THEN d.review_every ELSE interval '7 days' END;
	invalid text := kpi.definition_problem(d);
	read_problem text;
	bounds timestamptz[];
BEGIN
	-- A definition out of range fails every criterion that computes with it
	-- (the write trigger rejects such definitions; older rows may hold one).
	IF invalid IS NOT NULL THEN
		FOREACH criterion_key IN ARRAY '{specific,measurable,attractive,realistic,time_bound}'::text[] LOOP
			verdicts := verdicts || kpi.smart_verdict(criterion_key, ARRAY[invalid], NULL);
		END LOOP;
		FOREACH criterion_key, criterion, passed, detail IN ARRAY verdicts LOOP
			RETURN NEXT;
		END LOOP;
		RETURN;
	END IF;
	-- specific: the rules that fail, in this order
	problems := ARRAY(
		SELECT r.message
		FROM (VALUES
			(1, d.name IS NULL OR d.name !~ '^[a-z][a-z0-9_]*$',
			 kpi.translate('The name is not a lower-case identifier: use one such as cac_paid_search.',
						   'Der Name ist kein kleingeschriebener Bezeichner: verwenden Sie einen wie cac_paid_search.')),
			(2, pg_catalog.btrim(COALESCE(d.title, '')) = '',
			 kpi.translate('No title is set: give the KPI a short title.',
						   'Es ist kein Titel gesetzt: geben Sie der Kennzahl einen kurzen Titel.')),
			(3, COALESCE(pg_catalog.array_length(pg_catalog.regexp_split_to_array(pg_catalog.btrim(d.description), '\s+'), 1), 0) < 4,
			 kpi.translate('The description is missing or shorter than a sentence: say in at least four words what the KPI means.',
						   'Die Beschreibung fehlt oder ist kürzer als ein Satz: sagen Sie in mindestens vier Wörtern, was die Kennzahl bedeutet.')),
			(4, pg_catalog.btrim(COALESCE(d.owner, '')) = '',
			 kpi.translate('No owner is set: name the person accountable for the KPI.',
						   'Es ist kein Verantwortlicher gesetzt: nennen Sie die Person, die für die Kennzahl verantwortlich ist.')),
			(5, NOT EXISTS (SELECT FROM pg_catalog.unnest(d.teams) AS t(team) WHERE pg_catalog.btrim(t.team) <> ''),
			 kpi.translate('No team is set: list the teams it belongs to, e.g. {marketing,sales}.',
						   'Es ist kein Team gesetzt: nennen Sie die Teams, zu denen sie gehört, z. B. {marketing,sales}.')),
			(6, kpi.metric_columns_problem(d) IS NOT NULL, kpi.metric_columns_problem(d))
		) AS r(position, failing, message)
		WHERE r.failing
		ORDER BY r.position);
	verdicts := verdicts || kpi.smart_verdict('specific', problems,
		pg_catalog.format(kpi.translate('One metric (%s), described, owned by %s, for %s.',
												 'Eine Kennzahl (%s), beschrieben, verantwortet von %s, für %s.'),
								   d.metric, d.owner, pg_catalog.array_to_string(d.teams, ', ')));

	-- measurable
	measure_blockers := kpi.measure_problems(d);
	IF kpi.metric_columns_problem(d) IS NOT NULL AND measure_blockers = '{}' THEN
		measure_blockers := measure_blockers || kpi.translate(
			'It cannot be computed until the metric has the columns it needs (see specific).',
			'Sie kann erst berechnet werden, wenn die Kennzahlart ihre Spalten hat (siehe Spezifisch).');
	END IF;
	problems := measure_blockers;
	period := kpi.last_review_period(d);
	IF measure_blockers = '{}' THEN
		-- Read as the source's owner; an error of the source is a problem
		-- of this KPI, not of the caller's query.
		SELECT r.value, r.row_count, r.problem INTO current_value, current_rows, read_problem
		FROM kpi.read_source(ARRAY[d], ARRAY[period.period_start, period.period_end], true) AS r;
		IF read_problem IS NOT NULL THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'Reading the source fails: %s', 'Das Lesen der Quelle schlägt fehl: %s'), read_problem);
			measure_blockers := ARRAY[read_problem];
		ELSIF current_rows = 0 THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'The source has no rows for the last full review period [%s, %s): load the data, or check time_column and filters.',
				'Die Quelle hat keine Zeilen für den letzten vollen Berichtszeitraum [%s, %s): laden Sie die Daten oder prüfen Sie time_column und filters.'),
				kpi.show_date(period.period_start::date), kpi.show_date(period.period_end::date));
		ELSIF current_value IS NULL THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'The value for the last full review period [%s, %s) is NULL, as the denominator sums to zero or the values are NULL: check the columns and filters.',
				'Der Wert für den letzten vollen Berichtszeitraum [%s, %s) ist NULL, da der Nenner null ergibt oder die Werte NULL sind: prüfen Sie Spalten und Filter.'),
				kpi.show_date(period.period_start::date), kpi.show_date(period.period_end::date));
		END IF;
	END IF;
	problems := problems || ARRAY(
		SELECT r.message
		FROM (VALUES
			(1, d.baseline IS NULL,
			 kpi.translate('No baseline is set: record the value the KPI starts from.',
						   'Es ist kein Ausgangswert (baseline) gesetzt: tragen Sie den Wert ein, von dem die Kennzahl startet.')),
			(2, d.target IS NULL,
			 kpi.translate('No target is set: set the value to reach by due_on.',
						   'Es ist kein Zielwert (target) gesetzt: setzen Sie den Wert, der bis due_on erreicht werden soll.')),
			(3, pg_catalog.btrim(COALESCE(d.unit, '')) = '',
			 kpi.translate('No unit is set: say what the number counts, e.g. EUR or ratio.',
						   'Es ist keine Einheit (unit) gesetzt: sagen Sie, was die Zahl zählt, z. B. EUR oder ratio.'))
		) AS r(position, failing, message)
		WHERE r.failing
		ORDER BY r.position);
	verdicts := verdicts || kpi.smart_verdict('measurable', problems,
		pg_catalog.format(kpi.translate('Computes %s %s for the last full review period [%s, %s).',
												 'Ergibt %s %s für den letzten vollen Berichtszeitraum [%s, %s).'),
								   kpi.show_number(current_value), d.unit, kpi.show_date(period.period_start::date), kpi.show_date(period.period_end::date)));

	-- attractive
	problems := '{}';
	IF d.direction IS NULL THEN
		problems := problems || kpi.translate(
			'No direction is set: say whether higher_is_better or lower_is_better.',
			'Es ist keine Richtung (direction) gesetzt: sagen Sie, ob higher_is_better oder lower_is_better gilt.');
	END IF;
	IF d.baseline IS NULL OR d.target IS NULL THEN
		problems := problems || kpi.translate(
			'Without baseline and target there is no improvement to judge: set both.',
			'Ohne Ausgangs- und Zielwert lässt sich keine Verbesserung beurteilen: setzen Sie beide.');
	ELSIF d.direction = 'higher_is_better' AND d.target <= d.baseline THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'The target %s is not above the baseline %s, though higher is better: set a target above the baseline.',
			'Der Zielwert %s liegt nicht über dem Ausgangswert %s, obwohl höher besser ist: setzen Sie einen Zielwert über dem Ausgangswert.'),
			kpi.show_number(d.target), kpi.show_number(d.baseline));
	ELSIF d.direction = 'lower_is_better' AND d.target >= d.baseline THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'The target %s is not below the baseline %s, though lower is better: set a target below the baseline.',
			'Der Zielwert %s liegt nicht unter dem Ausgangswert %s, obwohl niedriger besser ist: setzen Sie einen Zielwert unter dem Ausgangswert.'),
			kpi.show_number(d.target), kpi.show_number(d.baseline));
	END IF;
	IF pg_catalog.btrim(COALESCE(d.objective, '')) = '' THEN
		problems := problems || kpi.translate('No objective is stated: name the business goal the KPI serves.',
											  'Es ist kein Ziel (objective) genannt: nennen Sie das Geschäftsziel, dem die Kennzahl dient.');
	END IF;
	verdicts := verdicts || kpi.smart_verdict('attractive', problems,
		pg_catalog.format(kpi.translate('The target %s improves on the baseline %s (%s is better) and serves the objective: %s',
												 'Der Zielwert %s verbessert den Ausgangswert %s (%s ist besser) und dient dem Ziel: %s'),
								   kpi.show_number(d.target), kpi.show_number(d.baseline),
								   CASE d.direction WHEN 'lower_is_better' THEN kpi.translate('lower', 'niedriger')
													ELSE kpi.translate('higher', 'höher') END,
								   d.objective));

	-- realistic
	problems := '{}';
	found := NULL;
	IF d.baseline IS NULL OR d.target IS NULL OR d.direction IS NULL OR d.starts_on IS NULL OR d.due_on IS NULL THEN
		problems := ARRAY[kpi.translate(
			'Cannot judge without baseline, target, direction, starts_on and due_on: set them.',
			'Ohne Ausgangswert, Zielwert, Richtung, starts_on und due_on nicht zu beurteilen: setzen Sie diese.')];
	ELSIF d.due_on <= d.starts_on THEN
		problems := ARRAY[kpi.translate('Cannot judge: due_on must be after starts_on (see time_bound).',
										'Nicht zu beurteilen: due_on muss nach starts_on liegen (siehe Termingebunden).')];
	ELSIF measure_blockers <> '{}' THEN
		problems := ARRAY[kpi.translate('Cannot judge: the KPI cannot be computed (see measurable).',
										'Nicht zu beurteilen: die Kennzahl kann nicht berechnet werden (siehe Messbar).')];
	ELSE
		-- Up to 12 review periods before starts_on that have ended by now.
		bounds := ARRAY(SELECT s FROM pg_catalog.generate_series((d.starts_on - 12 * every)::timestamptz,
																  d.starts_on::timestamptz, every) AS s
						WHERE s < d.starts_on::timestamptz ORDER BY s) || d.starts_on::timestamptz;
		WITH history AS (
			SELECT bounds[h.period] AS bucket_start,
				   CASE WHEN h.row_count > 0 THEN h.value END AS value
			FROM kpi.read_source(ARRAY[d], bounds, true) AS h
			WHERE bounds[h.period + 1] <= kpi.as_of()
		), steps AS (
			SELECT h.value, sign * (h.value - pg_catalog.lag(h.value) OVER (ORDER BY h.bucket_start)) AS improvement
			FROM history h
		)
		SELECT pg_catalog.count(s.value), pg_catalog.max(s.improvement)
		INTO history_periods, best
		FROM steps s;

		span_days := d.due_on - d.starts_on;
		periods_to_due := span_days * 86400.0
			/ pg_catalog.date_part('epoch', every);
		required := sign * (d.target - d.baseline) / periods_to_due;
		-- With a plan, its steepest step is what has to be realistic.
		steepest := kpi.plan_steepest_step(d);
		required := COALESCE(steepest.required, required);
		IF history_periods < 4 THEN
			problems := ARRAY[pg_catalog.format(kpi.translate(
				'Not enough history: %s review periods with data in the 12 before starts_on, and at least 4 are needed to judge the target.',
				'Nicht genug Historie: %s Berichtszeiträume mit Daten in den 12 vor starts_on, mindestens 4 sind nötig, um den Zielwert zu beurteilen.'),
				history_periods)];
		ELSIF best IS NULL THEN
			problems := ARRAY[kpi.translate(
				'Not enough history: no two consecutive review periods before starts_on have data.',
				'Nicht genug Historie: keine zwei aufeinanderfolgenden Berichtszeiträume vor starts_on haben Daten.')];
		ELSIF steepest.required IS NOT NULL THEN
			found := pg_catalog.format(CASE WHEN required <= best
				THEN kpi.translate(
					'The plan''s steepest step, into the period from %s, needs an improvement of %s per review period; the best between two consecutive periods of the last %s was %s.',
					'Der steilste Schritt des Plans, in den Zeitraum ab %s, verlangt eine Verbesserung um %s je Berichtszeitraum; die beste zwischen zwei aufeinanderfolgenden der letzten %s Zeiträume war %s.')
				ELSE kpi.translate(
					'The plan''s steepest step, into the period from %s, needs an improvement of %s per review period, but the best between two consecutive periods of the last %s was %s: spread that step over more periods, lower the target or allow more time.',
					'Der steilste Schritt des Plans, in den Zeitraum ab %s, verlangt eine Verbesserung um %s je Berichtszeitraum, die beste zwischen zwei aufeinanderfolgenden der letzten %s Zeiträume war aber %s: verteilen Sie diesen Schritt auf mehr Zeiträume, senken Sie den Zielwert oder lassen Sie mehr Zeit.')
				END,
				kpi.show_date(steepest.period_start), kpi.show_number(required), history_periods, kpi.show_number(best));
			IF required > best THEN
				problems := ARRAY[found];
			END IF;
		ELSE
			found := pg_catalog.format(CASE WHEN required <= best
				THEN kpi.translate(
					'The target needs an improvement of %s per review period; the best between two consecutive periods of the last %s was %s.',
					'Der Zielwert verlangt eine Verbesserung um %s je Berichtszeitraum; die beste zwischen zwei aufeinanderfolgenden der letzten %s Zeiträume war %s.')
				ELSE kpi.translate(
					'The target needs an improvement of %s per review period, but the best between two consecutive periods of the last %s was %s: lower the target or allow more time.',
					'Der Zielwert verlangt eine Verbesserung um %s je Berichtszeitraum, die beste zwischen zwei aufeinanderfolgenden der letzten %s Zeiträume war aber %s: senken Sie den Zielwert oder lassen Sie mehr Zeit.')
				END,
				kpi.show_number(required), history_periods, kpi.show_number(best));
			IF required > best THEN
				problems := ARRAY[found];
			END IF;
		END IF;
	END IF;
	verdicts := verdicts || kpi.smart_verdict('realistic', problems, found);

	-- time_bound
	problems := '{}';
	IF d.starts_on IS NULL OR d.due_on IS NULL THEN
		problems := problems || kpi.translate('starts_on and due_on must both be set: give the KPI a start and a deadline.',
											  'starts_on und due_on müssen beide gesetzt sein: geben Sie der Kennzahl einen Start und eine Frist.');
	ELSIF d.due_on <= d.starts_on THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'The deadline %s is not after the start %s: move due_on after starts_on.',
			'Die Frist %s liegt nicht nach dem Start %s: legen Sie due_on nach starts_on.'), kpi.show_date(d.due_on), kpi.show_date(d.starts_on));
	ELSIF d.due_on - d.starts_on < 14 THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'The span from %s to %s is %s days, shorter than 14: allow at least two weeks.',
			'Der Zeitraum von %s bis %s umfasst %s Tage, weniger als 14: planen Sie mindestens zwei Wochen ein.'),
			kpi.show_date(d.starts_on), kpi.show_date(d.due_on), d.due_on - d.starts_on);
	END IF;
	IF d.review_every IS NULL OR d.review_every <= interval '0' THEN
		problems := problems || kpi.translate('No review cadence is set: set review_every, e.g. 7 days.',
											  'Es ist kein Berichtsrhythmus gesetzt: setzen Sie review_every, z. B. 7 days.');
	ELSIF d.starts_on IS NOT NULL AND d.due_on > d.starts_on AND d.starts_on + d.review_every >= d.due_on THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'Reviewing every %s leaves no review before the deadline: review more often than the span from starts_on to due_on.',
			'Ein Rhythmus von %s lässt keine Überprüfung vor der Frist zu: prüfen Sie öfter, als der Zeitraum von starts_on bis due_on lang ist.'),
			kpi.show_interval(d.review_every));
	END IF;
	verdicts := verdicts || kpi.smart_verdict('time_bound', problems,
		pg_catalog.format(kpi.translate('From %s to %s (%s days), reviewed every %s.',
												 'Von %s bis %s (%s Tage), Überprüfung alle %s.'),
								   kpi.show_date(d.starts_on), kpi.show_date(d.due_on), d.due_on - d.starts_on, kpi.show_interval(d.review_every)));

	FOREACH criterion_key, criterion, passed, detail IN ARRAY verdicts LOOP
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION kpi.smart_criteria(kpi.definitions) IS
	'Internal: the five SMART criteria of a definition with a language-independent key; kpi.smart_check() shows them.';

CREATE FUNCTION kpi.smart_check(definition kpi.definitions)
	RETURNS TABLE (criterion text, passed boolean, detail text)
	LANGUAGE sql STABLE PARALLEL UNSAFE SECURITY INVOKER
BEGIN ATOMIC
	SELECT c.criterion, c.passed, c.detail FROM kpi.smart_criteria(definition) AS c;
END;
COMMENT ON FUNCTION kpi.smart_check(kpi.definitions) IS
	'Checks a KPI definition given as a row value, e.g. before it is stored: one row per SMART criterion, passed or not, and a detail that says why and what to do. Follows kpi.language.';

CREATE FUNCTION kpi.smart_check(kpi_name text)
	RETURNS TABLE (criterion text, passed boolean, detail text)
	LANGUAGE sql STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
BEGIN ATOMIC
	SELECT c.criterion, c.passed, c.detail FROM kpi.smart_criteria(kpi.definition(kpi_name)) AS c;
END;
COMMENT ON FUNCTION kpi.smart_check(text) IS
	'Checks the stored KPI called kpi_name: one row per SMART criterion (specific, measurable, attractive, realistic, time_bound), passed or not, and a detail that says why and what to do. Follows kpi.language.';

CREATE VIEW kpi.smart_report WITH (security_invoker = true) AS
SELECT d.name,
	   d.active,
	   pg_catalog.bool_and(c.passed) FILTER (WHERE c.criterion_key = 'specific') AS specific,
	   pg_catalog.bool_and(c.passed) FILTER (WHERE c.criterion_key = 'measurable') AS measurable,
	   pg_catalog.bool_and(c.passed) FILTER (WHERE c.criterion_key = 'attractive') AS attractive,
	   pg_catalog.bool_and(c.passed) FILTER (WHERE c.criterion_key = 'realistic') AS realistic,
	   pg_catalog.bool_and(c.passed) FILTER (WHERE c.criterion_key = 'time_bound') AS time_bound,
	   pg_catalog.bool_and(c.passed) AS smart,
	   COALESCE(pg_catalog.array_agg(c.criterion || ': ' || c.detail ORDER BY c.ordinality)
				FILTER (WHERE NOT c.passed), '{}') AS problems
FROM kpi.definitions AS d
	 CROSS JOIN LATERAL kpi.smart_criteria(d) WITH ORDINALITY AS c
GROUP BY d.name, d.active;
-- For everyone: it shows what the caller may read, and reads each source as
-- its owner (doc/security.md).
GRANT SELECT ON kpi.smart_report TO PUBLIC;
COMMENT ON VIEW kpi.smart_report IS
	'One row per KPI definition: whether it is specific, measurable, attractive, realistic and time_bound, smart when all five hold, and problems, the failed criteria with what to do. Runs with the caller''s privileges.';

------------------------------------------------------------------------------
-- SMART checks on write: kpi.enforce_smart = off | warn | error, and the
-- verdicts they leave.
--
-- A full SMART check measures the KPI's history (up to 12 review periods for
-- "realistic", and the last one for "measurable"), far more than the
-- scorecard itself reads.  So every write of an active definition is checked
-- once, by the AFTER trigger below: the same result warns about or rejects
-- the definition, and is kept in kpi.smart_verdicts, which the scorecard
-- (30_monitor.sql) shows.  kpi.recheck_smart() takes the check again, e.g.
-- after new data arrived.
------------------------------------------------------------------------------

CREATE TABLE kpi.smart_verdicts (
	name			text PRIMARY KEY REFERENCES kpi.definitions (name) ON UPDATE CASCADE ON DELETE CASCADE,
	smart			boolean NOT NULL,
	failed			text[] NOT NULL,
	checked_at		timestamptz NOT NULL,
	checked_by		text NOT NULL DEFAULT CURRENT_USER
) WITH (parallel_workers = 0);
COMMENT ON TABLE kpi.smart_verdicts IS
	'The verdict of the last SMART check of each active KPI, which kpi.scorecard shows; refreshed when a definition is written and by kpi.recheck_smart(). Kept by pg_dump.';
COMMENT ON COLUMN kpi.smart_verdicts.name IS 'The KPI checked (kpi.definitions.name).';
COMMENT ON COLUMN kpi.smart_verdicts.smart IS 'Whether it passed all five criteria.';
COMMENT ON COLUMN kpi.smart_verdicts.failed IS 'The criteria it failed: specific, measurable, attractive, realistic, time_bound.';
COMMENT ON COLUMN kpi.smart_verdicts.checked_at IS 'When it was checked: kpi.as_of() at the time.';
COMMENT ON COLUMN kpi.smart_verdicts.checked_by IS 'The role the check ran for: it measured only sources that role may read.';

SELECT pg_catalog.pg_extension_config_dump('kpi.smart_verdicts', '');

-- Keeps the verdict of a check that failed the criteria given (none: SMART).
CREATE FUNCTION kpi.keep_smart_verdict(kpi_name text, failed text[]) RETURNS boolean
	LANGUAGE sql VOLATILE SECURITY INVOKER
BEGIN ATOMIC
	INSERT INTO kpi.smart_verdicts AS v (name, smart, failed, checked_at)
	VALUES (kpi_name, pg_catalog.cardinality(failed) = 0, failed, kpi.as_of())
	ON CONFLICT (name) DO UPDATE
		SET smart = excluded.smart, failed = excluded.failed,
			checked_at = excluded.checked_at, checked_by = excluded.checked_by
	RETURNING v.smart;
END;
COMMENT ON FUNCTION kpi.keep_smart_verdict(text, text[]) IS
	'Internal: stores in kpi.smart_verdicts the verdict on the KPI called kpi_name of a SMART check that failed the criteria keys given (none: SMART), at kpi.as_of(); returns whether it is SMART.';

CREATE FUNCTION kpi.recheck_smart(definition kpi.definitions) RETURNS boolean
	LANGUAGE sql VOLATILE SECURITY INVOKER
	RETURN kpi.keep_smart_verdict((definition).name,
		ARRAY(SELECT c.criterion_key FROM kpi.smart_criteria(definition) WITH ORDINALITY AS c
			  WHERE NOT c.passed ORDER BY c.ordinality));
COMMENT ON FUNCTION kpi.recheck_smart(kpi.definitions) IS
	'Runs the SMART check of a stored definition for the caller (values only from sources the caller may SELECT, each read as its owner) and keeps the verdict in kpi.smart_verdicts; returns whether it is SMART.';

CREATE FUNCTION kpi.recheck_smart(kpi_name text) RETURNS boolean
	LANGUAGE sql VOLATILE STRICT SECURITY INVOKER
	RETURN kpi.recheck_smart(kpi.definition(kpi_name));
COMMENT ON FUNCTION kpi.recheck_smart(text) IS
	'Re-checks the KPI called kpi_name, e.g. after new data arrived, and keeps the verdict the scorecard shows; returns whether it is SMART.';

CREATE FUNCTION kpi.definitions_after_write() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	mode text := kpi.setting('enforce_smart');
	failed_keys text[];
	failed_names text[];
	failed text[];
	invalid text;
BEGIN
	-- pg_dump scripts and pg_restore set check_function_bodies = off, and then
	-- the sources may not be loaded yet: a restore is never held to the
	-- check, and restores the verdicts as dumped.
	IF pg_catalog.current_setting('check_function_bodies') = 'off' THEN
		-- Unchecked: no stored verdict may describe an older version of the
		-- row.  (A restore loads the verdicts after the definitions.)
		DELETE FROM kpi.smart_verdicts AS v WHERE v.name = NEW.name;
		RETURN NULL;
	END IF;
	-- Whatever kpi.enforce_smart says: a definition that would make the
	-- scorecard's arithmetic or query fail for every reader.
	invalid := COALESCE(kpi.definition_problem(NEW), kpi.filter_problem(NEW));
	IF invalid IS NOT NULL THEN
		RAISE EXCEPTION '%', pg_catalog.format(kpi.translate('KPI "%s" is invalid', 'Kennzahl "%s" ist ungültig'), NEW.name)
			USING ERRCODE = 'check_violation',
				  DETAIL = invalid,
				  HINT = kpi.translate('Correct the value; kpi rejects it whatever kpi.enforce_smart says.',
									   'Korrigieren Sie den Wert; kpi weist ihn unabhängig von kpi.enforce_smart ab.');
	END IF;
	-- Inactive definitions are drafts or retired, and are not checked, nor is
	-- anything under kpi.enforce_smart = off: an old verdict would no longer
	-- describe the definition.
	IF mode = 'off' OR NOT NEW.active THEN
		DELETE FROM kpi.smart_verdicts AS v WHERE v.name = NEW.name;
		RETURN NULL;
	END IF;
	SELECT COALESCE(pg_catalog.array_agg(c.criterion_key ORDER BY c.ordinality) FILTER (WHERE NOT c.passed), '{}'),
		   pg_catalog.array_agg(c.criterion ORDER BY c.ordinality) FILTER (WHERE NOT c.passed),
		   pg_catalog.array_agg(c.criterion || ': ' || c.detail ORDER BY c.ordinality) FILTER (WHERE NOT c.passed)
	INTO failed_keys, failed_names, failed
	FROM kpi.smart_criteria(NEW) WITH ORDINALITY AS c;
	IF mode = 'error' AND failed IS NOT NULL THEN
		RAISE EXCEPTION '%', pg_catalog.format(kpi.translate('KPI "%s" is not SMART: %s', 'Kennzahl "%s" ist nicht SMART: %s'),
											   NEW.name, pg_catalog.array_to_string(failed_names, ', '))
			USING ERRCODE = 'check_violation',
				  DETAIL = pg_catalog.array_to_string(failed, E'\n'),
				  HINT = kpi.translate('Fix the definition, store it with active = false as a draft, or set kpi.enforce_smart to warn.',
									   'Korrigieren Sie die Definition, speichern Sie sie mit active = false als Entwurf, oder setzen Sie kpi.enforce_smart auf warn.');
	END IF;
	PERFORM kpi.keep_smart_verdict(NEW.name, failed_keys);
	IF failed IS NOT NULL THEN
		RAISE WARNING '%', pg_catalog.format(kpi.translate('KPI "%s" is not SMART: %s', 'Kennzahl "%s" ist nicht SMART: %s'),
											 NEW.name, pg_catalog.array_to_string(failed_names, ', '))
			USING DETAIL = pg_catalog.array_to_string(failed, E'\n'),
				  HINT = kpi.translate('See kpi.smart_check() for each criterion; set kpi.enforce_smart to error to reject such definitions.',
									   'Siehe kpi.smart_check() für jedes Kriterium; mit kpi.enforce_smart = error werden solche Definitionen abgewiesen.');
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION kpi.definitions_after_write() IS
	'Trigger function on kpi.definitions: rejects with SQLSTATE 23514 a definition out of range or with a filter its column cannot take (always); checks an active definition once per write (unless kpi.enforce_smart = off), warns about (warn) or rejects with SQLSTATE 23514 (error) one that is not SMART, and keeps the verdict in kpi.smart_verdicts (none for inactive or unchecked definitions, nor under check_function_bodies = off).';

CREATE TRIGGER definitions_after_write
	AFTER INSERT OR UPDATE ON kpi.definitions
	FOR EACH ROW EXECUTE FUNCTION kpi.definitions_after_write();
COMMENT ON TRIGGER definitions_after_write ON kpi.definitions IS
	'Applies kpi.enforce_smart to active definitions and keeps kpi.smart_verdicts, which the scorecard shows, up to date.';

