/* kpi -- goal statements: free-text KPI goals read, SMART-checked and turned into definitions */

/*
 * Most KPI goals start as sentences in slide decks, OKR tools and planning
 * spreadsheets (issue 15).  These functions read such a sentence, in German
 * or English, check it for SMART, and turn a good one into a catalog
 * definition (20_catalog.sql).  The reading is done in C by a parser with no
 * backend calls (src/goal_parser.c); doc/goals.md describes what it reads.
 *
 *   kpi.parse_goal(statement text, reference_date date DEFAULT current_date) → one row
 *       language, metric, metric_phrase, direction, baseline, target, unit,
 *       comparison, due_on, review_every, unparsed, kpi, stage, target_kind,
 *       relative_change, absolute_change, problems
 *   kpi.smart_check_text(statement text, reference_date date DEFAULT current_date)
 *       → TABLE (criterion text, passed boolean, detail text), in kpi.language
 *   kpi.goal_criteria(statement text, reference_date date)
 *       → TABLE (criterion_key text, criterion text, passed boolean, detail text)
 *   kpi.definition_from_goal(name text, statement text, source regclass, time_column name,
 *                            numerator_column name, denominator_column name DEFAULT NULL)
 *       → kpi.definitions, the row inserted
 */

CREATE FUNCTION kpi.parse_goal(statement text, reference_date date DEFAULT CURRENT_DATE,
							   OUT language text, OUT metric text, OUT metric_phrase text,
							   OUT direction text, OUT baseline double precision,
							   OUT target double precision, OUT unit text, OUT comparison text,
							   OUT due_on date, OUT review_every interval, OUT unparsed text,
							   OUT kpi text, OUT stage text, OUT target_kind text,
							   OUT relative_change double precision,
							   OUT absolute_change double precision, OUT problems text[])
	RETURNS record
	AS 'MODULE_PATHNAME', 'kpi_parse_goal'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.parse_goal(text, date) IS
	'Reads a KPI goal statement in German or English ("Steigerung der Conversion Rate von 18 % auf 25 % bis 31.03.2027"): language, metric (a kpi.metric value), metric_phrase, direction, baseline, target, unit, comparison (to, at_least, at_most), due_on, review_every, unparsed (what it did not understand), kpi (e.g. cost_per_lead), stage, target_kind (value, relative, delta), relative_change (0.2 for "um 20 %"), absolute_change, problems (e.g. a date that does not exist). Relative deadlines count from reference_date. Statements over 10 kB: error 22023.';

-- A parser problem in the session's language.
CREATE FUNCTION kpi.goal_problem(problem text) RETURNS text
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	RETURN CASE WHEN kpi.setting('language') = 'de' THEN
		pg_catalog.concat_ws(': ',
			CASE pg_catalog.split_part(problem, ': ', 1)
				WHEN 'no such date' THEN 'Dieses Datum gibt es nicht'
				WHEN 'deadline names a year, not whether its start or end is meant' THEN
					'Die Frist nennt ein Jahr, aber nicht, ob sein Anfang oder sein Ende gemeint ist'
				WHEN 'more than one deadline; the first counts' THEN 'Mehr als eine Frist; die erste gilt'
				WHEN 'more than one metric; the first counts' THEN 'Mehr als eine Kennzahl; die erste gilt'
				WHEN 'more than one unit; the first counts' THEN 'Mehr als eine Einheit; die erste gilt'
				WHEN 'a baseline in percentage points' THEN 'Ein Ausgangswert in Prozentpunkten'
				ELSE pg_catalog.split_part(problem, ': ', 1) END,
			NULLIF(pg_catalog.substr(problem, pg_catalog.strpos(problem, ': ') + 2), problem))
		ELSE pg_catalog.upper(pg_catalog.left(problem, 1)) || pg_catalog.substr(problem, 2) END;
COMMENT ON FUNCTION kpi.goal_problem(text) IS
	'Internal: a problem reported by kpi.parse_goal, capitalised, in German when kpi.language = de.';

-- A goal value with its unit, as people write it: "25 %", "120 EUR", "500".
CREATE FUNCTION kpi.goal_show_value(value double precision, unit text) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN kpi.show_number(value) || CASE WHEN unit IS NULL OR unit IN ('count', 'ratio') THEN '' ELSE ' ' || unit END;
COMMENT ON FUNCTION kpi.goal_show_value(double precision, text) IS
	'Internal: a value of a goal statement with its unit (none for counts, ratios and values without one), for SMART details; NULL for a NULL value.';

/*
 * The five SMART criteria of a goal statement, with the rules of issue 15:
 *   specific    one metric is recognised;
 *   measurable  a numeric target (a value, a relative change or a change by
 *               an amount) with a unit;
 *   attractive  direction, baseline and target agree: the target lies beyond
 *               the baseline in the direction (or on it, for "at least" and
 *               "at most" goals), a change goes the way of the direction;
 *   realistic   the relative change asked for, spread over the months from
 *               reference_date to the deadline (30.436875 days each), is at
 *               most kpi.max_monthly_change a month; passes, saying so, when
 *               no baseline is stated;
 *   time_bound  a deadline exists, is after reference_date, and is at least
 *               14 days away.
 */
CREATE FUNCTION kpi.goal_criteria(statement text, reference_date date DEFAULT CURRENT_DATE)
	RETURNS TABLE (criterion_key text, criterion text, passed boolean, detail text)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	g record;
	problems text[];
	found text;
	higher boolean;
	change double precision;	-- the relative change asked for
	months double precision;
	per_month double precision;
	max_change double precision := kpi.setting('max_monthly_change')::double precision;
	change_text text;
	verdicts kpi.smart_criterion[] := '{}';
BEGIN
	IF statement IS NULL OR reference_date IS NULL THEN
		RETURN;
	END IF;
	g := kpi.parse_goal(statement, reference_date);
	higher := g.direction = 'higher_is_better';

	-- specific
	problems := ARRAY(SELECT kpi.goal_problem(p) || '.' FROM pg_catalog.unnest(g.problems) AS p
					  WHERE p LIKE 'more than one metric%');
	IF g.metric IS NULL THEN
		problems := ARRAY[kpi.translate(
			'No metric recognised: name one, such as the conversion rate, CAC, ROMI, ROAS, cost per lead, leads or revenue.',
			'Keine Kennzahl erkannt: nennen Sie eine, etwa die Konversionsrate, CAC, ROMI, ROAS, Kosten pro Lead, Leads oder Umsatz.')];
	END IF;
	verdicts := verdicts || kpi.smart_verdict('specific', problems,
		pg_catalog.format(kpi.translate('One metric: %s ("%s").', 'Eine Kennzahl: %s ("%s").'),
						  g.kpi, g.metric_phrase));

	-- measurable
	problems := '{}';
	IF g.target IS NULL AND g.relative_change IS NULL AND g.absolute_change IS NULL THEN
		problems := ARRAY[kpi.translate(
			'No numeric target: state the value to reach, e.g. "to 25 %" or "below EUR 120".',
			'Kein numerischer Zielwert: nennen Sie den Wert, der erreicht werden soll, z. B. "auf 25 %" oder "unter 120 €".')];
	ELSIF g.unit IS NULL AND g.target_kind <> 'relative' THEN
		problems := ARRAY[pg_catalog.format(kpi.translate(
			'The target %s has no unit: add %%, a currency, or what it counts.',
			'Der Zielwert %s hat keine Einheit: ergänzen Sie %%, eine Währung oder was er zählt.'),
			kpi.show_number(COALESCE(g.target, g.absolute_change)))];
	END IF;
	found := CASE
		WHEN g.target IS NOT NULL THEN
			pg_catalog.format(kpi.translate('Target %s%s.', 'Zielwert %s%s.'),
				CASE g.comparison WHEN 'at_least' THEN kpi.translate('at least ', 'mindestens ')
								  WHEN 'at_most' THEN kpi.translate('at most ', 'höchstens ') ELSE '' END,
				kpi.goal_show_value(g.target, g.unit))
		WHEN g.relative_change IS NOT NULL THEN
			pg_catalog.format(kpi.translate('A relative target: %s%s %% on the baseline.',
											'Ein relativer Zielwert: %s%s %% auf den Ausgangswert.'),
				CASE WHEN g.relative_change > 0 THEN '+' ELSE '' END, kpi.show_number(g.relative_change * 100))
		WHEN g.unit = '%' THEN
			pg_catalog.format(kpi.translate('A change of %s%s percentage points.', 'Eine Änderung um %s%s Prozentpunkte.'),
				CASE WHEN g.absolute_change > 0 THEN '+' ELSE '' END, kpi.show_number(g.absolute_change))
		ELSE
			pg_catalog.format(kpi.translate('A change of %s%s.', 'Eine Änderung um %s%s.'),
				CASE WHEN g.absolute_change > 0 THEN '+' ELSE '' END, kpi.goal_show_value(g.absolute_change, g.unit))
		END;
	verdicts := verdicts || kpi.smart_verdict('measurable', problems, found);

	-- attractive
	problems := '{}';
	-- the metric's own direction: "Conversion Rate halbieren" is no improvement
	IF g.direction <> (CASE WHEN g.kpi IN ('cac', 'cost_per_lead') THEN 'lower_is_better' ELSE 'higher_is_better' END) THEN
		problems := ARRAY[pg_catalog.format(kpi.translate(
			'The statement asks for a %s %s, but %s is better for it: reverse the goal, or name the metric you mean.',
			'Die Formulierung verlangt eine %s %s, für sie ist aber %s besser: kehren Sie das Ziel um oder nennen Sie die gemeinte Kennzahl.'),
			CASE WHEN higher THEN kpi.translate('higher', 'höhere') ELSE kpi.translate('lower', 'niedrigere') END,
			g.kpi,
			CASE WHEN higher THEN kpi.translate('lower', 'niedriger') ELSE kpi.translate('higher', 'höher') END)];
	END IF;
	IF g.direction IS NULL THEN
		problems := problems || ARRAY[kpi.translate(
			'No direction: say whether the metric should rise or fall, e.g. with increase or reduce.',
			'Keine Richtung: sagen Sie, ob die Kennzahl steigen oder sinken soll, z. B. mit steigern oder senken.')];
	ELSIF g.target IS NULL AND g.relative_change IS NULL AND g.absolute_change IS NULL THEN
		problems := problems || ARRAY[kpi.translate('Without a target there is no improvement to judge (see measurable).',
										'Ohne Zielwert lässt sich keine Verbesserung beurteilen (siehe Messbar).')];
	ELSIF g.target IS NOT NULL AND g.baseline IS NOT NULL THEN
		IF higher AND (g.target < g.baseline OR (g.target = g.baseline AND g.comparison = 'to')) THEN
			problems := problems || ARRAY[pg_catalog.format(kpi.translate(
				'The target %s is not above the baseline %s, though higher is better: set a target above the baseline.',
				'Der Zielwert %s liegt nicht über dem Ausgangswert %s, obwohl höher besser ist: setzen Sie einen Zielwert über dem Ausgangswert.'),
				kpi.goal_show_value(g.target, g.unit), kpi.goal_show_value(g.baseline, g.unit))];
		ELSIF NOT higher AND (g.target > g.baseline OR (g.target = g.baseline AND g.comparison = 'to')) THEN
			problems := problems || ARRAY[pg_catalog.format(kpi.translate(
				'The target %s is not below the baseline %s, though lower is better: set a target below the baseline.',
				'Der Zielwert %s liegt nicht unter dem Ausgangswert %s, obwohl niedriger besser ist: setzen Sie einen Zielwert unter dem Ausgangswert.'),
				kpi.goal_show_value(g.target, g.unit), kpi.goal_show_value(g.baseline, g.unit))];
		END IF;
		found := pg_catalog.format(kpi.translate('The target %s improves on the baseline %s (%s is better).',
												 'Der Zielwert %s verbessert den Ausgangswert %s (%s ist besser).'),
			kpi.goal_show_value(g.target, g.unit), kpi.goal_show_value(g.baseline, g.unit),
			CASE WHEN higher THEN kpi.translate('higher', 'höher') ELSE kpi.translate('lower', 'niedriger') END);
	ELSIF g.target IS NOT NULL THEN
		found := pg_catalog.format(kpi.translate(
			'%s is better, and the target is %s; no baseline is stated to compare it with.',
			'%s ist besser, der Zielwert ist %s; es ist kein Ausgangswert genannt, mit dem er sich vergleichen ließe.'),
			CASE WHEN higher THEN kpi.translate('Higher', 'Höher') ELSE kpi.translate('Lower', 'Niedriger') END,
			kpi.goal_show_value(g.target, g.unit));
	ELSE
		change := COALESCE(g.relative_change, g.absolute_change);
		IF (higher AND change <= 0) OR (NOT higher AND change >= 0) THEN
			problems := problems || ARRAY[pg_catalog.format(kpi.translate(
				'The change %s goes the wrong way: %s is better.',
				'Die Änderung %s geht in die falsche Richtung: %s ist besser.'),
				CASE WHEN g.relative_change IS NOT NULL THEN kpi.show_number(g.relative_change * 100) || ' %'
					 ELSE kpi.show_number(g.absolute_change) END,
				CASE WHEN higher THEN kpi.translate('higher', 'höher') ELSE kpi.translate('lower', 'niedriger') END)];
		END IF;
		found := pg_catalog.format(kpi.translate('The change goes the way that is better (%s).',
												 'Die Änderung geht in die bessere Richtung (%s).'),
			CASE WHEN higher THEN kpi.translate('higher', 'höher') ELSE kpi.translate('lower', 'niedriger') END);
	END IF;
	verdicts := verdicts || kpi.smart_verdict('attractive', problems, found);

	-- realistic
	problems := '{}';
	found := NULL;
	change := CASE
		WHEN g.relative_change IS NOT NULL THEN pg_catalog.abs(g.relative_change)
		WHEN g.baseline IS NULL OR g.baseline = 0 THEN NULL
		WHEN g.target IS NOT NULL THEN pg_catalog.abs(g.target - g.baseline) / pg_catalog.abs(g.baseline)
		WHEN g.absolute_change IS NOT NULL THEN pg_catalog.abs(g.absolute_change) / pg_catalog.abs(g.baseline)
		END;
	IF change IS NULL AND g.baseline = 0 THEN
		problems := ARRAY[kpi.translate('The baseline is 0, so the change asked for has no relative size.',
										'Der Ausgangswert ist 0, die verlangte Änderung hat also keine relative Größe.')];
	ELSIF change IS NULL AND (g.target IS NOT NULL OR g.absolute_change IS NOT NULL) THEN
		found := kpi.translate('No baseline is stated, so the change per month cannot be computed; passed.',
							   'Es ist kein Ausgangswert genannt, die Änderung je Monat lässt sich nicht berechnen; bestanden.');
	ELSIF change IS NULL THEN
		problems := ARRAY[kpi.translate('Without a target there is no change to judge (see measurable).',
										'Ohne Zielwert gibt es keine Änderung zu beurteilen (siehe Messbar).')];
	ELSIF g.due_on IS NULL OR g.due_on <= reference_date THEN
		problems := ARRAY[kpi.translate(
			'Without a deadline after the reference date the change per month cannot be judged (see time_bound).',
			'Ohne Frist nach dem Bezugsdatum lässt sich die Änderung je Monat nicht beurteilen (siehe Termingebunden).')];
	ELSE
		months := (g.due_on - reference_date) / 30.436875;
		per_month := change / months;
		change_text := pg_catalog.format(kpi.translate(
			'A change of %s %% in %s months is %s %% a month',
			'Eine Änderung um %s %% in %s Monaten sind %s %% je Monat'),
			kpi.show_number(pg_catalog.round((change * 100)::numeric, 1)::double precision),
			kpi.show_number(pg_catalog.round(months::numeric, 1)::double precision),
			kpi.show_number(pg_catalog.round((per_month * 100)::numeric, 1)::double precision));
		IF per_month <= max_change THEN
			found := pg_catalog.format(kpi.translate('%s, within kpi.max_monthly_change = %s %%.',
													 '%s, im Rahmen von kpi.max_monthly_change = %s %%.'),
				change_text, kpi.show_number(max_change * 100));
		ELSE
			problems := ARRAY[pg_catalog.format(kpi.translate(
				'%s, more than kpi.max_monthly_change = %s %%: lower the target or allow more time.',
				'%s, mehr als kpi.max_monthly_change = %s %%: senken Sie den Zielwert oder lassen Sie mehr Zeit.'),
				change_text, kpi.show_number(max_change * 100))];
		END IF;
	END IF;
	verdicts := verdicts || kpi.smart_verdict('realistic', problems, found);

	-- time_bound
	problems := ARRAY(SELECT kpi.goal_problem(p) || '.' FROM pg_catalog.unnest(g.problems) AS p
					  WHERE p LIKE 'no such date%' OR p LIKE 'deadline names a year%');
	IF g.due_on IS NULL THEN
		problems := problems || kpi.translate(
			'No deadline: add one, e.g. "bis 31.03.2027", "by end of Q2 2027" or "within 30 days".',
			'Keine Frist: ergänzen Sie eine, z. B. "bis 31.03.2027", "bis Ende Q2 2027" oder "in 30 Tagen".');
	ELSIF g.due_on <= reference_date THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'The deadline %s is not after the reference date %s: set a deadline in the future.',
			'Die Frist %s liegt nicht nach dem Bezugsdatum %s: setzen Sie eine Frist in der Zukunft.'),
			kpi.show_date(g.due_on), kpi.show_date(reference_date));
	ELSIF g.due_on - reference_date < 14 THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'The deadline %s is %s days after %s, fewer than 14: allow at least two weeks.',
			'Die Frist %s liegt %s Tage nach dem %s, weniger als 14: planen Sie mindestens zwei Wochen ein.'),
			kpi.show_date(g.due_on), g.due_on - reference_date, kpi.show_date(reference_date));
	END IF;
	verdicts := verdicts || kpi.smart_verdict('time_bound', problems,
		pg_catalog.format(kpi.translate('Due %s, %s days after %s; %s.', 'Fällig am %s, %s Tage nach dem %s; %s.'),
			kpi.show_date(g.due_on), g.due_on - reference_date, kpi.show_date(reference_date),
			CASE WHEN g.review_every IS NULL
				 THEN kpi.translate('no review cadence stated (weekly by default)',
									'kein Berichtsrhythmus genannt (standardmäßig wöchentlich)')
				 ELSE kpi.translate('reviewed every ', 'Überprüfung alle ') || kpi.show_interval(g.review_every) END));

	FOREACH criterion_key, criterion, passed, detail IN ARRAY verdicts LOOP
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION kpi.goal_criteria(text, date) IS
	'Internal: the five SMART criteria of a goal statement with a language-independent key (specific, measurable, attractive, realistic, time_bound); kpi.smart_check_text() shows them.';

CREATE FUNCTION kpi.smart_check_text(statement text, reference_date date DEFAULT CURRENT_DATE)
	RETURNS TABLE (criterion text, passed boolean, detail text)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT c.criterion, c.passed, c.detail FROM kpi.goal_criteria(statement, reference_date) AS c;
END;
COMMENT ON FUNCTION kpi.smart_check_text(text, date) IS
	'Checks a free-text goal statement (German or English) for SMART, as kpi.smart_check does for a definition: one row per criterion (specific, measurable, attractive, realistic, time_bound), passed or not, and a detail in kpi.language. realistic uses kpi.max_monthly_change; relative deadlines count from reference_date.';

/*
 * A catalog definition from a goal statement: title (the statement), metric,
 * stage, direction, baseline, target, unit, due_on and review_every from the
 * statement; source and columns from the arguments; starts_on is
 * kpi.as_of()'s day, from which relative deadlines count.  Rates written in
 * percent (conversion rate, ROMI, ROAS) are stored as ratios, as the
 * aggregates compute them: 25 % becomes 0.25 with unit ratio.  A relative or
 * delta target becomes a value from the baseline: 18 % up "um 20 %" is
 * 21.6 %.  Anything missing is one error 22023 that lists it all.
 */
CREATE FUNCTION kpi.definition_from_goal(name text, statement text, source regclass, time_column name,
										 numerator_column name, denominator_column name DEFAULT NULL)
	RETURNS kpi.definitions
	LANGUAGE plpgsql VOLATILE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	today date := kpi.as_of()::date;
	g record;
	d kpi.definitions;
	missing text[] := '{}';
	target double precision;
	scale double precision := 1;
	columns_problem text;
	result kpi.definitions;
BEGIN
	IF name IS NULL THEN missing := missing || 'name'::text; END IF;
	g := kpi.parse_goal(COALESCE(statement, ''), today);
	IF statement IS NULL THEN
		missing := missing || 'statement'::text;
	ELSE
		IF g.metric IS NULL THEN
			missing := missing || kpi.translate('a metric the parser recognises', 'eine erkannte Kennzahl');
		END IF;
		target := CASE
			WHEN g.target IS NOT NULL THEN g.target
			WHEN g.relative_change IS NOT NULL THEN g.baseline * (1 + g.relative_change)
			WHEN g.absolute_change IS NOT NULL THEN g.baseline + g.absolute_change
			END;
		IF target IS NULL THEN
			missing := missing || CASE WHEN g.target_kind IN ('relative', 'delta')
				THEN kpi.translate('a baseline (the target is a change from it)',
								   'ein Ausgangswert (der Zielwert ist eine Änderung davon)')
				ELSE kpi.translate('a numeric target', 'ein numerischer Zielwert') END;
		END IF;
		IF g.unit IS NULL AND target IS NOT NULL THEN
			missing := missing || kpi.translate('the unit of the target', 'die Einheit des Zielwerts');
		END IF;
		IF g.due_on IS NULL THEN
			missing := missing || COALESCE(
				kpi.translate('a deadline (', 'eine Frist (') ||
					(SELECT pg_catalog.string_agg(kpi.goal_problem(p), '; ')
					 FROM pg_catalog.unnest(g.problems) AS p
					 WHERE p LIKE 'no such date%' OR p LIKE 'deadline names a year%') || ')',
				kpi.translate('a deadline', 'eine Frist'));
		END IF;
	END IF;
	IF source IS NULL OR source = 0 THEN missing := missing || 'source'::text; END IF;  -- 0 shows as '-'
	IF time_column IS NULL THEN missing := missing || 'time_column'::text; END IF;
	IF numerator_column IS NULL THEN missing := missing || 'numerator_column'::text; END IF;

	IF g.metric IS NOT NULL THEN
		d.metric := g.metric;
		d.numerator_column := numerator_column;
		d.denominator_column := denominator_column;
		columns_problem := kpi.metric_columns_problem(d);
		IF columns_problem IS NOT NULL THEN
			missing := missing || pg_catalog.rtrim(columns_problem, '.');
		END IF;
	END IF;

	IF missing <> '{}' THEN
		RAISE EXCEPTION '%', kpi.translate('goal statement cannot make a KPI definition',
										   'aus der Zielformulierung lässt sich keine Kennzahl definieren')
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = kpi.translate('Missing: ', 'Es fehlt: ') || pg_catalog.array_to_string(missing, ', ') || '.',
				  HINT = kpi.translate('kpi.parse_goal(statement) shows what was read; state what is missing in the statement or pass it as an argument.',
									   'kpi.parse_goal(statement) zeigt, was gelesen wurde; ergänzen Sie das Fehlende in der Formulierung oder als Argument.');
	END IF;

	-- rates written in percent are stored as the ratios the aggregates compute
	IF g.unit = '%' AND g.metric IN ('conversion_rate', 'romi', 'roas') THEN
		scale := 0.01;
	END IF;

	INSERT INTO kpi.definitions AS k (name, title, metric, stage, source, time_column, numerator_column,
									  denominator_column, unit, direction, baseline, target, starts_on,
									  due_on, review_every)
	VALUES (name, pg_catalog.left(pg_catalog.regexp_replace(pg_catalog.btrim(statement), '\s+', ' ', 'g'), 200),
			g.metric, g.stage, source, time_column, numerator_column, denominator_column,
			CASE WHEN scale <> 1 THEN 'ratio' ELSE g.unit END,
			g.direction, g.baseline * scale, target * scale, today, g.due_on,
			COALESCE(g.review_every, interval '7 days'))
	RETURNING k.* INTO result;
	RETURN result;
END
$$;
COMMENT ON FUNCTION kpi.definition_from_goal(text, text, regclass, name, name, name) IS
	'Inserts a KPI definition from a goal statement: title, metric, stage, direction, baseline, target, unit, due_on and review_every from the statement (percent rates stored as ratios, relative targets computed from the baseline), source and columns from the arguments, starts_on = kpi.as_of(). Returns the row; error 22023 listing everything missing.';
