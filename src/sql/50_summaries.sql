/* kpi -- incremental summaries of a source (issue 13) */

/*
 * A summary keeps, for one source table, one row per time bucket and group
 * with the row count and one kpi.ratio per (numerator, denominator) pair, and
 * is kept up to date incrementally:
 *
 *   kpi.create_summary(source regclass, time_column name, bucket interval,
 *                      group_by name[] DEFAULT NULL, pairs text[] DEFAULT NULL,
 *                      summary_name name DEFAULT NULL, origin timestamptz DEFAULT NULL) → regclass
 *   kpi.refresh_summary(summary regclass) → integer        buckets recomputed
 *   kpi.refresh_summaries() → TABLE (summary regclass, buckets integer)
 *   kpi.drop_summary(summary regclass) → void
 *   kpi.summaries                                          the catalog, kept by pg_dump
 *
 * Change tracking.  Four statement-level triggers on the source (INSERT,
 * UPDATE, DELETE with transition tables; TRUNCATE) append the buckets a
 * statement touched to the summary's change log, <summary>_changes; a NULL
 * bucket means "everything" (TRUNCATE).  The log is append-only for writers:
 * no upsert, no de-duplication, so a writer never relies on a log row that a
 * refresh may be consuming (an ON CONFLICT DO NOTHING against a row being
 * deleted by a refresh whose snapshot does not see the writer's row would lose
 * that row).
 *
 * Refresh.  Refreshes of one summary are serialised by a row lock on its
 * catalog row.  Then one statement deletes the log rows its snapshot sees and
 * returns their buckets, and later statements (newer snapshots in READ
 * COMMITTED, the same one in REPEATABLE READ) delete and recompute exactly
 * those buckets from the source.  Every consumed log row belongs to a
 * committed transaction that the recomputation sees, so no committed row is
 * lost; a transaction that commits during the refresh left its own log rows,
 * which this refresh did not see and the next one recomputes.
 *
 * Buckets are pg_catalog.date_bin(bucket, time_column, origin): fixed-length
 * strides (no months; a month is a kpi.rollup over a daily summary) from the
 * origin, by default Monday 2000-01-03 at midnight in the session's time zone
 * at creation, so weekly buckets are ISO weeks.  bucket_start has the type
 * timestamptz for a timestamptz column and timestamp for date and timestamp
 * columns, so that it compares with a period exactly as the raw rows do.
 */

CREATE TABLE kpi.summaries (
	summary			regclass PRIMARY KEY,
	changes			regclass NOT NULL,
	source			regclass NOT NULL,
	time_column		name NOT NULL,
	bucket			interval NOT NULL,
	bucket_sql		text NOT NULL,
	origin_sql		text NOT NULL,
	bucket_type		regtype NOT NULL,
	group_by		name[] NOT NULL,
	numerators		name[] NOT NULL,
	denominators	name[] NOT NULL,
	ratio_columns	name[] NOT NULL,
	created_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	refreshed_at	timestamptz
) WITH (parallel_workers = 0);
COMMENT ON TABLE kpi.summaries IS
	'The incremental summaries (kpi.create_summary): one row per summary table, with its source, buckets, groups and kpi.ratio columns. Kept by pg_dump.';
COMMENT ON COLUMN kpi.summaries.summary IS 'The summary table: bucket_start, the group columns, row_count and one kpi.ratio column per pair.';
COMMENT ON COLUMN kpi.summaries.changes IS 'The change log the source''s triggers append touched buckets to (NULL: everything, after a TRUNCATE).';
COMMENT ON COLUMN kpi.summaries.source IS 'The table summarised.';
COMMENT ON COLUMN kpi.summaries.time_column IS 'The date, timestamp or timestamptz column of source that places a row in a bucket.';
COMMENT ON COLUMN kpi.summaries.bucket IS 'The bucket width, a fixed stride (no months).';
COMMENT ON COLUMN kpi.summaries.bucket_sql IS 'The bucket of a source row as an SQL expression (date_bin over the time column from the origin).';
COMMENT ON COLUMN kpi.summaries.origin_sql IS 'The origin of the buckets as an SQL expression of type bucket_type.';
COMMENT ON COLUMN kpi.summaries.bucket_type IS 'The type of bucket_start: timestamptz for a timestamptz time column, timestamp for date and timestamp.';
COMMENT ON COLUMN kpi.summaries.group_by IS 'The source columns each row of the summary is grouped by.';
COMMENT ON COLUMN kpi.summaries.numerators IS 'Numerator column of each kpi.ratio column.';
COMMENT ON COLUMN kpi.summaries.denominators IS 'Denominator column of each kpi.ratio column; NULL for a one-column summary (the sum and count of a number, the true count of a boolean).';
COMMENT ON COLUMN kpi.summaries.ratio_columns IS 'The kpi.ratio columns of the summary table, in the order of numerators and denominators; NULL in a row whose bucket and group has no pair without NULLs.';
COMMENT ON COLUMN kpi.summaries.created_at IS 'When the summary was created and filled.';
COMMENT ON COLUMN kpi.summaries.refreshed_at IS 'When it was last refreshed.';
SELECT pg_catalog.pg_extension_config_dump('kpi.summaries', '');
-- Every reader of a KPI looks here for a summary of its source (kpi.summary_query);
-- the rows name tables and columns, which pg_class and pg_attribute show anyone.
GRANT SELECT ON kpi.summaries TO PUBLIC;

------------------------------------------------------------------------------
-- Change tracking.
------------------------------------------------------------------------------

-- TG_ARGV[0] is the change log, TG_ARGV[1] the bucket expression over the
-- time column: both written by kpi.create_summary from quoted identifiers.
CREATE FUNCTION kpi.summary_track() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	shard text;
BEGIN
	-- A distributed source (TG_ARGV[2] its distribution column, TG_ARGV[3]
	-- the source, TG_ARGV[4] the summary): the INSERT, UPDATE and DELETE
	-- triggers fire on each shard, on its worker, and append (key, bucket)
	-- to the co-located shard of the change log, a local write in the
	-- worker's own transaction.  Citus fires TRUNCATE triggers only on the
	-- coordinator's shell of the source (which holds no rows otherwise):
	-- there the trigger empties the summary, in the TRUNCATE's transaction.
	IF TG_NARGS > 2 THEN
		EXECUTE 'SELECT pg_catalog.shard_name($1::pg_catalog.regclass, log_shard.shardid, false) '
				'FROM pg_catalog.pg_dist_shard AS source_shard '
				'JOIN pg_catalog.pg_dist_shard AS log_shard ON log_shard.logicalrelid = $1::pg_catalog.regclass '
				' AND log_shard.shardminvalue = source_shard.shardminvalue '
				'WHERE source_shard.logicalrelid = $2::pg_catalog.regclass AND source_shard.shardid = $3'
			INTO shard USING TG_ARGV[0], TG_ARGV[3], pg_catalog.substring(TG_TABLE_NAME, '_(\d+)$')::bigint;
		IF shard IS NULL THEN
			IF TG_OP = 'TRUNCATE' THEN
				EXECUTE pg_catalog.format('DELETE FROM %s', TG_ARGV[4]);
			END IF;
			RETURN NULL;
		ELSIF TG_OP = 'TRUNCATE' THEN
			-- Not fired by Citus 13.2 (above); the shell's trigger fires too.
			RETURN NULL;
		ELSE
			EXECUTE pg_catalog.format('INSERT INTO %1$s (%3$I, bucket_start) SELECT DISTINCT k, b FROM (%4$s) AS t WHERE b IS NOT NULL',
				shard, TG_ARGV[1], TG_ARGV[2],
				CASE TG_OP WHEN 'INSERT' THEN pg_catalog.format('SELECT %I AS k, %s AS b FROM kpi_new', TG_ARGV[2], TG_ARGV[1])
						   WHEN 'DELETE' THEN pg_catalog.format('SELECT %I AS k, %s AS b FROM kpi_old', TG_ARGV[2], TG_ARGV[1])
						   ELSE pg_catalog.format('SELECT %1$I AS k, %2$s AS b FROM kpi_old UNION ALL SELECT %1$I, %2$s FROM kpi_new', TG_ARGV[2], TG_ARGV[1]) END);
		END IF;
		RETURN NULL;
	END IF;
	IF TG_OP = 'TRUNCATE' THEN
		EXECUTE pg_catalog.format('INSERT INTO %s (bucket_start) VALUES (NULL)', TG_ARGV[0]);
	ELSIF TG_OP = 'INSERT' THEN
		EXECUTE pg_catalog.format('INSERT INTO %1$s (bucket_start) SELECT DISTINCT b FROM (SELECT %2$s AS b FROM kpi_new) AS t WHERE b IS NOT NULL',
								  TG_ARGV[0], TG_ARGV[1]);
	ELSIF TG_OP = 'DELETE' THEN
		EXECUTE pg_catalog.format('INSERT INTO %1$s (bucket_start) SELECT DISTINCT b FROM (SELECT %2$s AS b FROM kpi_old) AS t WHERE b IS NOT NULL',
								  TG_ARGV[0], TG_ARGV[1]);
	ELSE
		EXECUTE pg_catalog.format('INSERT INTO %1$s (bucket_start) SELECT b FROM (SELECT %2$s AS b FROM kpi_old UNION SELECT %2$s FROM kpi_new) AS t WHERE b IS NOT NULL',
								  TG_ARGV[0], TG_ARGV[1]);
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION kpi.summary_track() IS
	'Internal: the statement-level trigger of a summarised source; appends the buckets a statement touched to the summary''s change log (NULL for a TRUNCATE).';

------------------------------------------------------------------------------
-- Filling and refreshing.
------------------------------------------------------------------------------

/*
 * Citus, without depending on it: the distribution column of a table that
 * Citus distributes by hash (pg_dist_partition, looked up by name, so that
 * kpi installs and runs where Citus is not), else NULL.  A summary of such a
 * source is distributed on the same column and co-located with it.
 */
CREATE FUNCTION kpi.distribution_column(rel regclass) RETURNS name
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	key_attnum integer;
BEGIN
	IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
		RETURN NULL;
	END IF;
	EXECUTE 'SELECT (pg_catalog.regexp_match(p.partkey, '':varattno (\d+)''))[1]::integer '
			'FROM pg_catalog.pg_dist_partition AS p WHERE p.logicalrelid = $1 AND p.partmethod = ''h'''
		INTO key_attnum USING rel;
	RETURN (SELECT a.attname FROM pg_catalog.pg_attribute AS a WHERE a.attrelid = rel AND a.attnum = key_attnum);
END
$$;
COMMENT ON FUNCTION kpi.distribution_column(regclass) IS
	'The column by which Citus distributes a table (hash distribution, from pg_dist_partition), or NULL when Citus is not installed or the table is not distributed by hash; kpi does not depend on Citus.';

/*
 * The INSERT that fills a summary: every bucket when only_buckets is false,
 * else the buckets in $1 (a text array of bucket_type), one index range scan
 * of the source per bucket; or, with by_key (a Citus distribution column),
 * the (key, bucket) pairs the change log has taken, joined on the key so
 * that Citus pushes the statement down shard by co-located shard.
 */
CREATE FUNCTION kpi.summary_fill_sql(s kpi.summaries, only_buckets boolean, by_key name DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	groups text := (SELECT pg_catalog.string_agg(pg_catalog.format(', kpi_source.%I', g), '' ORDER BY o)
					FROM pg_catalog.unnest(s.group_by) WITH ORDINALITY AS u(g, o));
	group_names text := (SELECT pg_catalog.string_agg(pg_catalog.format(', %I', g), '' ORDER BY o)
						 FROM pg_catalog.unnest(s.group_by) WITH ORDINALITY AS u(g, o));
	ratio_names text := (SELECT pg_catalog.string_agg(pg_catalog.format(', %I', c), '' ORDER BY o)
						 FROM pg_catalog.unnest(s.ratio_columns) WITH ORDINALITY AS u(c, o));
	ratios text := (SELECT pg_catalog.string_agg(', ' || kpi.summary_ratio_sql(s.source, p.num, p.den), '' ORDER BY p.o)
					FROM ROWS FROM (pg_catalog.unnest(s.numerators), pg_catalog.unnest(s.denominators)) WITH ORDINALITY AS p(num, den, o));
	stride text := pg_catalog.format('pg_catalog.make_interval(secs => %s)', pg_catalog.date_part('epoch', s.bucket));
BEGIN
	IF s IS NULL OR only_buckets IS NULL THEN
		RETURN NULL;
	END IF;
	IF only_buckets AND by_key IS NOT NULL THEN
		RETURN pg_catalog.format(
			'INSERT INTO %1$s (bucket_start%2$s, row_count%3$s) '
			'SELECT kpi_bucket.bucket_start%4$s, pg_catalog.count(*)%5$s '
			'FROM (SELECT DISTINCT %6$I, bucket_start FROM %7$s WHERE kpi_taken AND bucket_start IS NOT NULL) AS kpi_bucket '
			'JOIN %8$s AS kpi_source ON kpi_source.%6$I = kpi_bucket.%6$I '
			'AND kpi_source.%9$I >= kpi_bucket.bucket_start AND kpi_source.%9$I < kpi_bucket.bucket_start + %10$s '
			'GROUP BY kpi_bucket.bucket_start%4$s',
			s.summary, group_names, ratio_names, groups, ratios, by_key, s.changes, s.source, s.time_column, stride);
	END IF;
	IF only_buckets THEN
		RETURN pg_catalog.format(
			'INSERT INTO %1$s (bucket_start%2$s, row_count%3$s) '
			'SELECT kpi_bucket.bucket_start%4$s, pg_catalog.count(*)%5$s '
			'FROM pg_catalog.unnest($1::%6$s[]) AS kpi_bucket(bucket_start) '
			'JOIN %7$s AS kpi_source ON kpi_source.%8$I >= kpi_bucket.bucket_start '
			'AND kpi_source.%8$I < kpi_bucket.bucket_start + %9$s '
			'GROUP BY kpi_bucket.bucket_start%4$s',
			s.summary, group_names, ratio_names, groups, ratios, s.bucket_type, s.source, s.time_column, stride);
	END IF;
	RETURN pg_catalog.format(
		'INSERT INTO %1$s (bucket_start%2$s, row_count%3$s) '
		'SELECT %4$s%5$s, pg_catalog.count(*)%6$s '
		'FROM %7$s AS kpi_source WHERE kpi_source.%8$I IS NOT NULL '
		'GROUP BY 1%5$s',
		s.summary, group_names, ratio_names, s.bucket_sql, groups, ratios, s.source, s.time_column);
END
$$;
COMMENT ON FUNCTION kpi.summary_fill_sql(kpi.summaries, boolean, name) IS
	'Internal: the INSERT that fills a summary from its source, for every bucket or (only_buckets) for the buckets given as $1, or (only_buckets and by_key, a Citus distribution column) for the (key, bucket) pairs its change log has taken.';

-- kpi.ratio_agg of a pair, the denominator 1 for a one-column summary (a
-- boolean counts as 1 when true): its numerator is the sum, its denominator
-- the count of non-NULL values.
CREATE FUNCTION kpi.summary_ratio_sql(source regclass, numerator name, denominator name) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN CASE WHEN source IS NOT NULL AND numerator IS NOT NULL THEN pg_catalog.format('kpi.ratio_agg(%s, %s)',
		CASE WHEN kpi.column_type(source, numerator) = 'boolean'::regtype
			 THEN pg_catalog.format('kpi_source.%I::pg_catalog.int4', numerator)
			 ELSE 'kpi_source.' || kpi.number_expression(source, numerator) END,
		CASE WHEN denominator IS NULL THEN '1'
			 ELSE 'kpi_source.' || kpi.number_expression(source, denominator) END) END;
COMMENT ON FUNCTION kpi.summary_ratio_sql(regclass, name, name) IS
	'Internal: the kpi.ratio_agg expression a summary keeps for a (numerator, denominator) pair; with no denominator, (value, 1).';

CREATE FUNCTION kpi.summary(summary regclass) RETURNS kpi.summaries
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s kpi.summaries;
BEGIN
	SELECT * INTO s FROM kpi.summaries AS k WHERE k.summary = summary.summary;
	IF NOT FOUND THEN
		RAISE EXCEPTION '% is not a kpi summary', summary
			USING ERRCODE = 'undefined_object',
				  HINT = 'The summaries are the rows of kpi.summaries; kpi.create_summary() creates one.';
	END IF;
	RETURN s;
END
$$;
COMMENT ON FUNCTION kpi.summary(regclass) IS
	'The catalog row of a summary table; error 42704 when the table is not a kpi summary.';

CREATE FUNCTION kpi.refresh_summary(summary regclass) RETURNS integer
	LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
	-- the buckets pass through text between two statements of this call
	SET datestyle = 'ISO, YMD'
AS $$
DECLARE
	s kpi.summaries := kpi.summary(summary);
	everything boolean;
	buckets text;
	recomputed integer := 0;
BEGIN
	-- One refresh of a summary at a time: the next one waits, then sees the
	-- log and the summary as this one left them.
	PERFORM FROM kpi.summaries AS k WHERE k.summary = s.summary FOR UPDATE;
	IF kpi.distribution_column(s.summary) IS NOT NULL THEN
		recomputed := kpi.refresh_distributed_summary(s, kpi.distribution_column(s.summary));
		UPDATE kpi.summaries AS k SET refreshed_at = pg_catalog.clock_timestamp() WHERE k.summary = s.summary;
		RETURN recomputed;
	END IF;
	EXECUTE pg_catalog.format(
		'WITH consumed AS (DELETE FROM %s RETURNING bucket_start) '
		'SELECT pg_catalog.bool_or(bucket_start IS NULL), '
		'(pg_catalog.array_agg(DISTINCT bucket_start) FILTER (WHERE bucket_start IS NOT NULL))::text FROM consumed',
		s.changes) INTO everything, buckets;
	-- A quarter of the buckets or more: one pass over the source beats an
	-- index range scan per bucket (rows scattered over the whole history).
	IF NOT everything AND buckets IS NOT NULL THEN
		EXECUTE pg_catalog.format('SELECT $1 >= 0.25 * pg_catalog.count(DISTINCT bucket_start) FROM %s', s.summary)
			INTO everything USING pg_catalog.cardinality(buckets::text[]);
	END IF;
	IF everything THEN
		EXECUTE pg_catalog.format('DELETE FROM %s', s.summary);
		EXECUTE kpi.summary_fill_sql(s, false);
		EXECUTE pg_catalog.format('SELECT pg_catalog.count(DISTINCT bucket_start)::integer FROM %s', s.summary) INTO recomputed;
	ELSIF buckets IS NOT NULL THEN
		EXECUTE pg_catalog.format('DELETE FROM %s WHERE bucket_start = ANY ($1::%s[])', s.summary, s.bucket_type) USING buckets;
		EXECUTE kpi.summary_fill_sql(s, true) USING buckets;
		recomputed := pg_catalog.cardinality(buckets::text[]);
	END IF;
	UPDATE kpi.summaries AS k SET refreshed_at = pg_catalog.clock_timestamp() WHERE k.summary = s.summary;
	RETURN recomputed;
END
$$;
COMMENT ON FUNCTION kpi.refresh_summary(regclass) IS
	'Recomputes the buckets of a summary that changed since its last refresh and returns how many; all of them, in one pass over the source, after a TRUNCATE or when a quarter of them or more changed. Safe under concurrent writes.';

/*
 * The refresh of a summary of a Citus distributed source (kpi.create_summary
 * made it distributed on the source's distribution column, key, and
 * co-located with it, and its change log too, with rows (key, bucket)).
 * Every statement is one Citus pushes down to the workers whole, shard by
 * co-located shard: no source row, log row or summary row goes through the
 * coordinator.  The log rows are taken by marking them (kpi_taken) rather
 * than by DELETE ... RETURNING, whose rows would travel to the coordinator;
 * on each shard, as on one node, the mark's snapshot is older than the
 * recomputation's, and rows appended meanwhile stay unmarked for the next
 * refresh.  Only the (key, bucket) pairs that changed are recomputed.
 */
CREATE FUNCTION kpi.refresh_distributed_summary(s kpi.summaries, key name) RETURNS integer
	LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	everything boolean;
	buckets integer;
	recomputed integer;
BEGIN
	EXECUTE pg_catalog.format('UPDATE %s SET kpi_taken = true WHERE NOT kpi_taken', s.changes);
	EXECUTE pg_catalog.format('SELECT pg_catalog.bool_or(bucket_start IS NULL), pg_catalog.count(DISTINCT bucket_start)::integer '
							  'FROM %s WHERE kpi_taken', s.changes) INTO everything, buckets;
	IF NOT everything AND buckets > 0 THEN
		EXECUTE pg_catalog.format('SELECT $1 >= 0.25 * pg_catalog.count(DISTINCT bucket_start) FROM %s', s.summary)
			INTO everything USING buckets;
	END IF;
	IF everything THEN
		EXECUTE pg_catalog.format('DELETE FROM %s', s.summary);
		EXECUTE kpi.summary_fill_sql(s, false);
		EXECUTE pg_catalog.format('SELECT pg_catalog.count(DISTINCT bucket_start)::integer FROM %s', s.summary) INTO recomputed;
	ELSIF buckets > 0 THEN
		EXECUTE pg_catalog.format(
			'DELETE FROM %1$s AS kpi_summary USING %2$s AS kpi_changed WHERE kpi_changed.kpi_taken '
			'AND kpi_changed.%3$I = kpi_summary.%3$I AND kpi_changed.bucket_start = kpi_summary.bucket_start',
			s.summary, s.changes, key);
		EXECUTE kpi.summary_fill_sql(s, true, key);
		recomputed := buckets;
	END IF;
	EXECUTE pg_catalog.format('DELETE FROM %s WHERE kpi_taken', s.changes);
	RETURN COALESCE(recomputed, 0);
END
$$;
COMMENT ON FUNCTION kpi.refresh_distributed_summary(kpi.summaries, name) IS
	'Internal: kpi.refresh_summary of a summary of a Citus distributed source: recomputes the changed (distribution key, bucket) pairs, or everything after a TRUNCATE or when a quarter of the buckets or more changed, with statements Citus pushes down to the workers.';

CREATE FUNCTION kpi.refresh_summaries() RETURNS TABLE (summary regclass, buckets integer)
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	FOR summary IN SELECT k.summary FROM kpi.summaries AS k ORDER BY k.summary::text LOOP
		buckets := kpi.refresh_summary(summary);
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION kpi.refresh_summaries() IS
	'Refreshes every summary of kpi.summaries (what a scheduled job calls) and returns the buckets each recomputed.';

------------------------------------------------------------------------------
-- Creating and dropping.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.create_summary(source regclass, time_column name, bucket interval,
								   group_by name[] DEFAULT NULL, pairs text[] DEFAULT NULL,
								   summary_name name DEFAULT NULL, origin timestamptz DEFAULT NULL)
	RETURNS regclass
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	src regclass := source;
	relkind "char";
	schema_name name;
	time_type regtype := kpi.column_type(src, time_column);
	s kpi.summaries;
	pair record;
	col name;
	problem text;
	column_list text;
	seconds double precision := pg_catalog.date_part('epoch', bucket);
	origin_sql text;
	log_name name;
	trigger_prefix text;
	key name := kpi.distribution_column(source);
	key_type text;
	unsafe_triggers text;
	track_args text;
BEGIN
	IF src IS NULL OR time_column IS NULL OR bucket IS NULL THEN
		RAISE EXCEPTION 'source, time_column and bucket must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT c.relkind, n.nspname INTO relkind, schema_name
	FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = src;
	IF relkind NOT IN ('r', 'p') THEN
		RAISE EXCEPTION '% is not a table', src
			USING ERRCODE = 'wrong_object_type',
				  DETAIL = 'A summary tracks changes with triggers, which only tables have.',
				  HINT = 'Summarise the table the view reads.';
	END IF;
	IF time_type IS NULL THEN
		RAISE EXCEPTION 'column "%" of % does not exist', time_column, src USING ERRCODE = 'undefined_column';
	ELSIF kpi.type_kind(time_type) <> 'time' THEN
		RAISE EXCEPTION 'time column "%" is %, not date or timestamp', time_column, time_type
			USING ERRCODE = 'datatype_mismatch';
	END IF;
	PERFORM kpi.check_interval('bucket', bucket);
	IF pg_catalog.date_part('month', bucket) <> 0 OR pg_catalog.date_part('year', bucket) <> 0 THEN
		RAISE EXCEPTION 'bucket must be a fixed stride, not months or years'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The bucket given is %s.', bucket),
				  HINT = 'Summarise by day (or week), and roll the days up to months with kpi.rollup.';
	END IF;

	s.source := src;
	s.time_column := time_column;
	s.bucket := bucket;
	-- Buckets count from a Monday midnight, so that weekly buckets are ISO weeks.
	IF time_type = 'timestamp with time zone'::regtype THEN
		s.bucket_type := 'timestamp with time zone';
		origin_sql := pg_catalog.format('pg_catalog.to_timestamp(%s)',
			pg_catalog.date_part('epoch', COALESCE(origin, '2000-01-03 00:00'::timestamptz)));
		s.bucket_sql := pg_catalog.format('pg_catalog.date_bin(pg_catalog.make_interval(secs => %s), %I, %s)',
										  seconds, time_column, origin_sql);
		s.origin_sql := origin_sql;
	ELSE
		s.bucket_type := 'timestamp without time zone';
		origin_sql := pg_catalog.format('(pg_catalog.to_timestamp(%s) AT TIME ZONE %L)',
			pg_catalog.date_part('epoch', COALESCE(origin::timestamp, '2000-01-03 00:00'::timestamp)), 'UTC');
		s.bucket_sql := pg_catalog.format('pg_catalog.date_bin(pg_catalog.make_interval(secs => %s), %I::pg_catalog.timestamp, %s)',
										  seconds, time_column, origin_sql);
		s.origin_sql := origin_sql;
	END IF;

	-- The groups: those named, or the filter columns of the catalog's KPIs on
	-- this source and time column, so that each of them can read the summary.
	s.group_by := COALESCE(group_by, ARRAY(
		SELECT DISTINCT f.key::name FROM kpi.definitions d, pg_catalog.jsonb_object_keys(d.filters) AS f(key)
		WHERE d.source = src AND d.time_column = create_summary.time_column
		  AND kpi.column_type(src, f.key::name) IS NOT NULL ORDER BY 1));
	FOREACH col IN ARRAY s.group_by LOOP
		IF kpi.column_type(src, col) IS NULL THEN
			RAISE EXCEPTION 'column "%" of % does not exist', col, src USING ERRCODE = 'undefined_column';
		END IF;
	END LOOP;
	-- A Citus distributed source: the summary is grouped by its distribution
	-- column first, so that it can be distributed on it and co-located.
	IF key IS NOT NULL AND key <> ALL (s.group_by) THEN
		s.group_by := key || s.group_by;
	END IF;

	-- The pairs the catalog's KPIs on this source use, and those named
	-- ('numerator/denominator', or 'column' alone).
	s.numerators := '{}';
	s.denominators := '{}';
	s.ratio_columns := '{}';
	<<pairs>>
	FOR pair IN
		SELECT p.num, p.den, pg_catalog.bool_or(p.named) AS named FROM (
			SELECT d.numerator_column AS num,
				   CASE WHEN d.metric IN ('sum', 'average', 'count') THEN NULL ELSE d.denominator_column END AS den,
				   false AS named
			FROM kpi.definitions d
			WHERE d.source = src AND d.time_column = create_summary.time_column AND d.numerator_column IS NOT NULL
			UNION ALL
			SELECT pg_catalog.split_part(p, '/', 1)::name, NULLIF(pg_catalog.split_part(p, '/', 2), '')::name, true
			FROM pg_catalog.unnest(pairs) AS p) AS p
		GROUP BY p.num, p.den
		ORDER BY p.num, p.den NULLS FIRST
	LOOP
		FOREACH col IN ARRAY ARRAY[pair.num, pair.den] LOOP
			CONTINUE WHEN col IS NULL;
			-- A broken KPI of the catalog is left out, not an error: the
			-- summary serves the others (and the audit reports it).
			IF NOT pair.named AND (kpi.column_type(src, col) IS NULL
								   OR kpi.type_kind(kpi.column_type(src, col)) NOT IN ('number', 'boolean')
								   OR (col = pair.den AND kpi.type_kind(kpi.column_type(src, col)) <> 'number')) THEN
				RAISE NOTICE 'a KPI''s column % on % is left out of the summary: it cannot be summed', pair.num || COALESCE('/' || pair.den, ''), src
					USING DETAIL = pg_catalog.format('%s has no number column %I.', src, col);
				CONTINUE pairs;
			END IF;
			IF kpi.column_type(src, col) IS NULL THEN
				RAISE EXCEPTION 'column "%" of % does not exist', col, src USING ERRCODE = 'undefined_column';
			ELSIF kpi.type_kind(kpi.column_type(src, col)) NOT IN ('number', 'boolean')
				  OR (col = pair.den AND kpi.type_kind(kpi.column_type(src, col)) <> 'number') THEN
				RAISE EXCEPTION 'column "%" is %, which a summary cannot sum', col, kpi.column_type(src, col)
					USING ERRCODE = 'datatype_mismatch',
						  HINT = 'A pair is numbers; a column alone may also be a boolean (its true count).';
			END IF;
		END LOOP;
		s.numerators := s.numerators || pair.num;
		s.denominators := s.denominators || pair.den;
		col := CASE WHEN pair.den IS NULL THEN pair.num ELSE (pair.num || '_per_' || pair.den)::name END;
		-- A column summed alone that the summary also groups by (one KPI
		-- sums it, another filters on it), or any other name already taken,
		-- gets a suffix; the reads find the column by kpi.summaries.
		WHILE col = ANY (s.group_by || s.ratio_columns || '{bucket_start,row_count}'::name[]) LOOP
			col := (col || '_sum')::name;
		END LOOP;
		s.ratio_columns := s.ratio_columns || col;
	END LOOP;

	summary_name := COALESCE(summary_name, (SELECT c.relname || '_kpi_' ||
		CASE WHEN seconds::bigint % 86400 = 0 THEN (seconds::bigint / 86400) || 'd' ELSE seconds || 's' END
		FROM pg_catalog.pg_class c WHERE c.oid = src));
	IF pg_catalog.octet_length(summary_name) > 55 THEN
		RAISE EXCEPTION 'summary name "%" is too long', summary_name
			USING ERRCODE = 'name_too_long',
				  DETAIL = 'Its change log is named <summary>_changes, within PostgreSQL''s 63 bytes.',
				  HINT = 'Pass a shorter summary_name.';
	END IF;
	log_name := summary_name || '_changes';

	SELECT pg_catalog.string_agg(pg_catalog.format('%I %s, ', g, pg_catalog.format_type(a.atttypid, a.atttypmod)), '' ORDER BY u.o)
	INTO column_list
	FROM pg_catalog.unnest(s.group_by) WITH ORDINALITY AS u(g, o)
	JOIN pg_catalog.pg_attribute a ON a.attrelid = src AND a.attname = u.g;
	EXECUTE pg_catalog.format('CREATE TABLE %I.%I (bucket_start %s NOT NULL, %srow_count bigint NOT NULL%s)',
		schema_name, summary_name, s.bucket_type, COALESCE(column_list, ''),
		(SELECT pg_catalog.string_agg(pg_catalog.format(', %I kpi.ratio', c), '' ORDER BY o)
		 FROM pg_catalog.unnest(s.ratio_columns) WITH ORDINALITY AS u(c, o)));
	s.summary := pg_catalog.format('%I.%I', schema_name, summary_name)::regclass;
	EXECUTE pg_catalog.format('CREATE UNIQUE INDEX ON %s (bucket_start%s) NULLS NOT DISTINCT', s.summary,
		(SELECT pg_catalog.string_agg(pg_catalog.format(', %I', g), '' ORDER BY o)
		 FROM pg_catalog.unnest(s.group_by) WITH ORDINALITY AS u(g, o)));
	EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', s.summary,
		pg_catalog.format('kpi summary of %s per %s of %I (kpi.summaries); refreshed by kpi.refresh_summary.', src, bucket, time_column));

	-- Whoever may write the source may mark buckets as changed; a mark only
	-- makes the next refresh recompute a bucket.
	IF key IS NULL THEN
		EXECUTE pg_catalog.format('CREATE TABLE %I.%I (bucket_start %s)', schema_name, log_name, s.bucket_type);
	ELSE
		-- Distributed: the log holds (key, bucket), co-located with the source.
		key_type := (SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute AS a
					 WHERE a.attrelid = src AND a.attname = key);
		EXECUTE pg_catalog.format('CREATE TABLE %I.%I (%I %s, bucket_start %s, kpi_taken boolean NOT NULL DEFAULT false)',
			schema_name, log_name, key, key_type, s.bucket_type);
	END IF;
	s.changes := pg_catalog.format('%I.%I', schema_name, log_name)::regclass;
	EXECUTE pg_catalog.format('CREATE INDEX ON %s (bucket_start)', s.changes);
	IF key IS NOT NULL THEN
		-- Through EXECUTE: kpi does not depend on Citus.
		EXECUTE 'SELECT pg_catalog.create_distributed_table($1, $2, colocate_with => $3)' USING s.summary, key::text, src::text;
		EXECUTE 'SELECT pg_catalog.create_distributed_table($1, $2, colocate_with => $3)' USING s.changes, key::text, src::text;
	END IF;
	EXECUTE pg_catalog.format('GRANT INSERT ON %s TO PUBLIC', s.changes);
	EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', s.changes,
		pg_catalog.format('Buckets of %s changed since its last refresh (NULL: all), appended by the triggers on %s.', s.summary, src));

	-- The source's owner owns its summary: kpi reads a source as its owner
	-- (kpi.read_source), and so the summary in its place (kpi.summary_query).
	IF (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = s.summary)
	   <> (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = src)
	   AND pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = src), 'USAGE') THEN
		EXECUTE pg_catalog.format('ALTER TABLE %s OWNER TO %I', s.summary,
			(SELECT r.rolname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_roles r ON r.oid = c.relowner WHERE c.oid = src));
		EXECUTE pg_catalog.format('ALTER TABLE %s OWNER TO %I', s.changes,
			(SELECT r.rolname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_roles r ON r.oid = c.relowner WHERE c.oid = src));
	END IF;

	s.created_at := pg_catalog.now();
	s.refreshed_at := pg_catalog.now();
	INSERT INTO kpi.summaries SELECT s.*;

	-- CREATE TRIGGER locks out writers until this transaction ends, so the
	-- fill below sees every row that the triggers will not report.
	trigger_prefix := 'kpi_summary_' || s.summary::oid;
	track_args := pg_catalog.format('%L, %L', s.changes::text, s.bucket_sql);
	IF key IS NOT NULL THEN
		-- Citus creates a distributed table's triggers on its shards only when
		-- asked to (they run on the workers); kpi.summary_track writes only to
		-- the co-located shard of the log, on the same worker.
		track_args := pg_catalog.format('%s, %L, %L, %L', track_args, key, src::text, s.summary::text);
		unsafe_triggers := pg_catalog.current_setting('citus.enable_unsafe_triggers', true);
		PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
	END IF;
	EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS kpi_new '
		'FOR EACH STATEMENT EXECUTE FUNCTION kpi.summary_track(%s)', trigger_prefix || '_insert', src, track_args);
	EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER UPDATE ON %s REFERENCING OLD TABLE AS kpi_old NEW TABLE AS kpi_new '
		'FOR EACH STATEMENT EXECUTE FUNCTION kpi.summary_track(%s)', trigger_prefix || '_update', src, track_args);
	EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER DELETE ON %s REFERENCING OLD TABLE AS kpi_old '
		'FOR EACH STATEMENT EXECUTE FUNCTION kpi.summary_track(%s)', trigger_prefix || '_delete', src, track_args);
	EXECUTE pg_catalog.format('CREATE TRIGGER %I AFTER TRUNCATE ON %s '
		'FOR EACH STATEMENT EXECUTE FUNCTION kpi.summary_track(%s)', trigger_prefix || '_truncate', src, track_args);

	IF key IS NOT NULL THEN
		PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', COALESCE(unsafe_triggers, 'off'), true);
	END IF;

	EXECUTE kpi.summary_fill_sql(s, false);
	RETURN s.summary;
END
$$;
COMMENT ON FUNCTION kpi.create_summary(regclass, name, interval, name[], text[], name, timestamptz) IS
	'Creates and fills a summary table of source: one row per bucket of time_column and group (group_by; by default the filter columns of the catalog''s KPIs on it), with row_count and one kpi.ratio per pair the catalog''s KPIs on it use or pairs names (''numerator/denominator'' or ''column''); triggers record the buckets each change touches for kpi.refresh_summary.';

CREATE FUNCTION kpi.drop_summary(summary regclass) RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s kpi.summaries := kpi.summary(summary);
	t name;
	unsafe_triggers text := pg_catalog.current_setting('citus.enable_unsafe_triggers', true);
BEGIN
	-- Citus drops a distributed table's triggers only when asked to.
	IF kpi.distribution_column(s.source) IS NOT NULL THEN
		PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
	END IF;
	FOR t IN SELECT tg.tgname FROM pg_catalog.pg_trigger tg
			 WHERE tg.tgrelid = s.source AND tg.tgname LIKE 'kpi\_summary\_' || s.summary::oid || '\_%' LOOP
		EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', t, s.source);
	END LOOP;
	IF kpi.distribution_column(s.source) IS NOT NULL THEN
		PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', COALESCE(unsafe_triggers, 'off'), true);
	END IF;
	DELETE FROM kpi.summaries AS k WHERE k.summary = s.summary;
	EXECUTE pg_catalog.format('DROP TABLE %s, %s', s.changes, s.summary);
END
$$;
COMMENT ON FUNCTION kpi.drop_summary(regclass) IS
	'Drops a summary: its triggers on the source, its change log, the table and its row in kpi.summaries.';

------------------------------------------------------------------------------
-- Reading a summary in place of its source.
------------------------------------------------------------------------------

-- Whether a summary can apply a definition's filters: each names a column
-- the summary is grouped by, so the summary's rows of those groups are the
-- source's rows the filters keep.
CREATE FUNCTION kpi.summary_filters_grouped(s kpi.summaries, definition kpi.definitions) RETURNS boolean
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- Without a query in the usual case (the query builder asks for every KPI
	-- of every read: PL/pgSQL evaluates a condition without a subquery as a
	-- simple expression): no filters, or filters on group columns named as
	-- they are.
	IF COALESCE(pg_catalog.jsonb_typeof(definition.filters) = 'object'
				AND (definition.filters - s.group_by::text[]) = '{}'::jsonb, false) THEN
		RETURN true;
	END IF;
	-- anything else: the query over the keys, each cast to name as a column
	-- name is
	RETURN NOT EXISTS (SELECT FROM pg_catalog.jsonb_object_keys(definition.filters) AS f(key)
					   WHERE f.key::name <> ALL (s.group_by));
END
$$;
COMMENT ON FUNCTION kpi.summary_filters_grouped(kpi.summaries, kpi.definitions) IS
	'Internal: whether every filter of a definition names a column the summary is grouped by, so that the summary can apply it.';

-- Where a summary keeps the sums a definition needs: the kpi.ratio column of
-- its pair, from the summary's rows of the groups its filters name.
CREATE FUNCTION kpi.summary_pair_column(s kpi.summaries, definition kpi.definitions) RETURNS name
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions := definition;
	den name := CASE WHEN d.metric IN ('sum', 'average', 'count') THEN NULL ELSE d.denominator_column END;
BEGIN
	IF NOT kpi.summary_filters_grouped(s, d) THEN
		RETURN NULL;
	END IF;
	FOR i IN 1 .. COALESCE(pg_catalog.cardinality(s.numerators), 0) LOOP
		IF s.numerators[i] = d.numerator_column AND s.denominators[i] IS NOT DISTINCT FROM den THEN
			RETURN s.ratio_columns[i];
		END IF;
	END LOOP;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION kpi.summary_pair_column(kpi.summaries, kpi.definitions) IS
	'Internal: the kpi.ratio column of a summary that keeps a definition''s pair (its numerator alone for sum, average and count), or NULL when the summary lacks the pair or is not grouped by a column the definition filters on.';

/*
 * The aggregate expression that gives a definition's value from the rows of
 * kpi.summary_query (a summary's columns: the groups, kpi_rows and the
 * kpi.ratio columns), or NULL when the summary cannot serve it: a filter on a
 * column it is not grouped by, or a pair it does not keep.  Each is the
 * metric's raw aggregate over merged sums: kpi.value(kpi.rollup(…)) for the
 * ratio metrics, the numerator for sum, Σ/n for average, counts for count.
 */
CREATE FUNCTION kpi.summary_value_sql(s kpi.summaries, definition kpi.definitions) RETURNS text
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions := definition;
	row_filter text := kpi.filter_sql(d);
	filter_clause text := CASE WHEN row_filter IS NOT NULL THEN pg_catalog.format(' FILTER (WHERE %s)', row_filter) ELSE '' END;
	col name;
	merged text;
BEGIN
	IF d.metric = 'count' AND d.numerator_column IS NULL THEN
		IF NOT kpi.summary_filters_grouped(s, d) THEN
			RETURN NULL;
		END IF;
		RETURN pg_catalog.format('COALESCE(pg_catalog.sum(kpi_rows)%s, 0)::pg_catalog.float8', filter_clause);
	END IF;
	col := kpi.summary_pair_column(s, d);	-- NULL also when the filters do not fit
	IF col IS NULL THEN
		RETURN NULL;
	END IF;
	merged := pg_catalog.format('kpi.rollup(%I)%s', col, filter_clause);
	RETURN CASE
		WHEN d.metric = 'romi' THEN pg_catalog.format('kpi.romi_value(%s)', merged)
		WHEN d.metric = 'sum' THEN pg_catalog.format('kpi.numerator(%s)::pg_catalog.float8', merged)
		WHEN d.metric = 'average' THEN
			pg_catalog.format('(kpi.numerator(%1$s) / NULLIF(kpi.denominator(%1$s), 0))::pg_catalog.float8', merged)
		WHEN d.metric = 'count' AND kpi.column_type(d.source, d.numerator_column) = 'boolean'::regtype THEN
			pg_catalog.format('COALESCE(kpi.numerator(%s), 0)::pg_catalog.float8', merged)
		WHEN d.metric = 'count' THEN pg_catalog.format('COALESCE(kpi.n(%s), 0)::pg_catalog.float8', merged)
		ELSE pg_catalog.format('kpi.value(%s)', merged) END;
END
$$;
COMMENT ON FUNCTION kpi.summary_value_sql(kpi.summaries, kpi.definitions) IS
	'Internal: the aggregate expression that gives a definition''s value from a summary''s rows, or NULL when the summary lacks a column its filters or its pair need.';

-- The summary kpi.compare tests (kpi.state_sql), merged from the summary's
-- rows: the summary keeps the very kpi.ratio_agg of the pair, moments and all.
CREATE FUNCTION kpi.summary_state_sql(s kpi.summaries, definition kpi.definitions) RETURNS text
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	col name;
	row_filter text;
BEGIN
	IF definition.metric::text <> ALL ('{conversion_rate,cac,romi,roas,ratio,average}') THEN
		RETURN 'NULL::kpi.ratio';
	END IF;
	col := kpi.summary_pair_column(s, definition);
	IF col IS NULL THEN
		RETURN 'NULL::kpi.ratio';
	END IF;
	row_filter := kpi.filter_sql(definition);
	RETURN pg_catalog.format('kpi.rollup(%I)%s', col,
							 CASE WHEN row_filter IS NOT NULL THEN pg_catalog.format(' FILTER (WHERE %s)', row_filter) ELSE '' END);
END
$$;
COMMENT ON FUNCTION kpi.summary_state_sql(kpi.summaries, kpi.definitions) IS
	'Internal: the kpi.ratio a definition''s change is tested on (kpi.state_sql), merged from a summary''s rows; NULL::kpi.ratio for sum and count.';

/*
 * The query of kpi.source_query with a summary in place of the source, or
 * NULL when no summary serves every definition: the same result ($1 the
 * bounds, $2 and $3 the first and last; one row per period with the values
 * and the row counts), from the summary's rows for the buckets that lie
 * wholly in one period and are not changed since the last refresh, and from
 * the source for the rest: the ends of each period that are parts of
 * buckets, and the changed buckets.  So it equals the answer from the source
 * alone, exactly for decimal inputs.  kpi.read_source runs it as the
 * source's owner, who owns the summary too (summaries owned by another role
 * are not used, nor those of sources with row-level security).  Of several
 * summaries that serve, the coarsest.  The single-node query begins with the
 * comment kpi summary read: kpi.read_source keeps its plan for the session
 * (a generic plan: it does not depend on the bounds), since the scorecard
 * runs the same query on every call.
 */
CREATE FUNCTION kpi.summary_query(definitions kpi.definitions[], with_states boolean DEFAULT false) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	src regclass := definitions[1].source;
	s kpi.summaries;
	d kpi.definitions;
	v text;
	row_filter text;
	value_list text[];
	count_list text[];
	state_list text[];
	stride text;
	to_bucket text;
	groups text;
	ratios text;
	raw_ratios text;
	key name;
BEGIN
	IF src IS NULL OR EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid = src AND c.relrowsecurity) THEN
		RETURN NULL;
	END IF;
	<<summaries>>
	FOR s IN
		SELECT k.* FROM kpi.summaries AS k
		JOIN pg_catalog.pg_class AS source_class ON source_class.oid = k.source
		WHERE k.source = src AND k.time_column = definitions[1].time_column
		  AND (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = k.summary) = source_class.relowner
		  AND (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = k.changes) = source_class.relowner
		ORDER BY k.bucket DESC, k.summary::oid
	LOOP
		value_list := '{}';
		count_list := '{}';
		state_list := '{}';
		FOREACH d IN ARRAY definitions LOOP
			v := kpi.summary_value_sql(s, d);
			CONTINUE summaries WHEN v IS NULL;
			value_list := value_list || v;
			IF with_states THEN
				state_list := state_list || kpi.summary_state_sql(s, d);
			END IF;
			row_filter := kpi.filter_sql(d);
			count_list := count_list || CASE WHEN row_filter IS NULL THEN 'COALESCE(pg_catalog.sum(kpi_rows), 0)'
											 ELSE pg_catalog.format('COALESCE(pg_catalog.sum(kpi_rows) FILTER (WHERE %s), 0)', row_filter) END;
		END LOOP;

		stride := pg_catalog.format('pg_catalog.make_interval(secs => %s)', pg_catalog.date_part('epoch', s.bucket));
		-- A bound as a bucket_start value (the session's time zone for timestamp).
		to_bucket := CASE WHEN s.bucket_type = 'timestamp with time zone'::regtype THEN '%s' ELSE '(%s)::pg_catalog.timestamp' END;
		groups := (SELECT pg_catalog.string_agg(pg_catalog.format(', kpi_source.%I', g), '' ORDER BY o)
				   FROM pg_catalog.unnest(s.group_by) WITH ORDINALITY AS u(g, o));
		ratios := (SELECT pg_catalog.string_agg(pg_catalog.format(', kpi_summary.%I', c), '' ORDER BY o)
				   FROM pg_catalog.unnest(s.ratio_columns) WITH ORDINALITY AS u(c, o));
		raw_ratios := (SELECT pg_catalog.string_agg(', ' || kpi.summary_ratio_sql(s.source, p.num, p.den), '' ORDER BY p.o)
					   FROM ROWS FROM (pg_catalog.unnest(s.numerators), pg_catalog.unnest(s.denominators)) WITH ORDINALITY AS p(num, den, o));
		key := kpi.distribution_column(s.summary);
		IF key IS NOT NULL THEN
			-- A summary of a Citus distributed source: its change log holds
			-- (key, bucket) pairs.  A summary row is used unless its pair
			-- changed, and the rows of a changed pair are read from the
			-- source: both joins are on the distribution column between
			-- co-located tables, which Citus pushes down to the shards, one
			-- task per shard; the periods go along as an intermediate result
			-- computed on the coordinator.  The log has no "everything" mark
			-- (a TRUNCATE empties the summary instead, kpi.summary_track),
			-- so no query over all shards runs before that one.  Each branch
			-- also has the whole range, [$2, $3), as constants (Citus inlines
			-- the parameters into the shards' queries): without them the
			-- workers' planner, which sees the periods as a function scan,
			-- estimates millions of rows and spends seconds compiling the
			-- plan with JIT.  (Its
			-- sublink selects 1: Citus 13.2 cannot read back the
			-- intermediate result of a sublink without columns.)
			RETURN pg_catalog.format($q$
WITH kpi_period AS (
	SELECT kpi_k.k AS kpi_period, $1[kpi_k.k] AS period_start, $1[kpi_k.k + 1] AS period_end,
		   kpi_grid.lo, kpi_grid.hi, kpi_grid.lo < kpi_grid.hi AS covered
	FROM pg_catalog.generate_subscripts($1, 1) AS kpi_k(k),
		 LATERAL (SELECT pg_catalog.date_bin(%1$s, %2$s, %3$s) AS lo_floor, %2$s AS lo_bound,
						 pg_catalog.date_bin(%1$s, %4$s, %3$s) AS hi) AS kpi_floor,
		 LATERAL (SELECT CASE WHEN kpi_floor.lo_floor = kpi_floor.lo_bound THEN kpi_floor.lo_floor
							  ELSE kpi_floor.lo_floor + %1$s END AS lo, kpi_floor.hi) AS kpi_grid
	WHERE kpi_k.k < pg_catalog.cardinality($1)
),
kpi_raw_range AS (
	SELECT p.kpi_period, p.period_start AS raw_start, p.period_end AS raw_end FROM kpi_period p WHERE NOT p.covered
	UNION ALL
	SELECT p.kpi_period, p.period_start, p.lo::pg_catalog.timestamptz FROM kpi_period p
	WHERE p.covered AND p.period_start < p.lo::pg_catalog.timestamptz
	UNION ALL
	SELECT p.kpi_period, p.hi::pg_catalog.timestamptz, p.period_end FROM kpi_period p
	WHERE p.covered AND p.hi::pg_catalog.timestamptz < p.period_end
),
kpi_merged AS (
	SELECT p.kpi_period%6$s, kpi_summary.row_count AS kpi_rows%7$s
	FROM kpi_period p JOIN %8$s AS kpi_summary ON kpi_summary.bucket_start >= p.lo AND kpi_summary.bucket_start < p.hi
	WHERE kpi_summary.bucket_start >= %16$s AND kpi_summary.bucket_start < %17$s
	  AND p.covered AND NOT EXISTS (SELECT 1 FROM %5$s AS c WHERE c.%15$I = kpi_summary.%15$I AND c.bucket_start = kpi_summary.bucket_start)
	UNION ALL
	SELECT r.kpi_period%9$s, pg_catalog.count(*)%10$s
	FROM kpi_raw_range r JOIN %11$s AS kpi_source ON kpi_source.%12$I >= r.raw_start AND kpi_source.%12$I < r.raw_end
	WHERE kpi_source.%12$I >= $2 AND kpi_source.%12$I < $3
	GROUP BY r.kpi_period%9$s
	UNION ALL
	SELECT p.kpi_period%9$s, pg_catalog.count(*)%10$s
	FROM kpi_period p
	JOIN (SELECT DISTINCT %15$I, bucket_start FROM %5$s WHERE bucket_start >= %16$s AND bucket_start < %17$s) AS c
		 ON c.bucket_start >= p.lo AND c.bucket_start < p.hi
	JOIN %11$s AS kpi_source ON kpi_source.%15$I = c.%15$I
		 AND kpi_source.%12$I >= c.bucket_start AND kpi_source.%12$I < c.bucket_start + %1$s
	WHERE kpi_source.%12$I >= $2 AND kpi_source.%12$I < $3 AND p.covered
	GROUP BY p.kpi_period%9$s
)
SELECT kpi_period, ARRAY[%13$s]::pg_catalog.float8[], ARRAY[%14$s]::pg_catalog.int8[]%18$s
FROM kpi_merged GROUP BY kpi_period$q$,
				stride, pg_catalog.format(to_bucket, '$1[kpi_k.k]'), s.origin_sql, pg_catalog.format(to_bucket, '$1[kpi_k.k + 1]'),
				s.changes, replace(groups, 'kpi_source.', 'kpi_summary.'), ratios, s.summary,
				groups, raw_ratios, s.source, s.time_column,
				pg_catalog.array_to_string(value_list, ', '), pg_catalog.array_to_string(count_list, ', '), key,
				pg_catalog.format(to_bucket, '$2'), pg_catalog.format(to_bucket, '$3'),
				CASE WHEN with_states THEN pg_catalog.format(', ARRAY[%s]::kpi.ratio[]', pg_catalog.array_to_string(state_list, ', '))
					 ELSE '' END);
		END IF;
		RETURN pg_catalog.format($q$
/* kpi summary read */ WITH kpi_period AS (
	SELECT k AS kpi_period, $1[k] AS period_start, $1[k + 1] AS period_end,
		   kpi_grid.lo, kpi_grid.hi, kpi_grid.lo < kpi_grid.hi AND NOT kpi_everything.changed AS covered
	FROM pg_catalog.generate_subscripts($1, 1) AS k,
		 LATERAL (SELECT pg_catalog.date_bin(%1$s, %2$s, %3$s) AS lo_floor, %2$s AS lo_bound,
						 pg_catalog.date_bin(%1$s, %4$s, %3$s) AS hi) AS kpi_floor,
		 LATERAL (SELECT CASE WHEN kpi_floor.lo_floor = kpi_floor.lo_bound THEN kpi_floor.lo_floor
							  ELSE kpi_floor.lo_floor + %1$s END AS lo, kpi_floor.hi) AS kpi_grid,
		 (SELECT EXISTS (SELECT FROM %5$s WHERE bucket_start IS NULL) AS changed) AS kpi_everything
	WHERE k < pg_catalog.cardinality($1)
),
kpi_raw_range AS (
	SELECT p.kpi_period, p.period_start AS raw_start, p.period_end AS raw_end FROM kpi_period p WHERE NOT p.covered
	UNION ALL
	SELECT p.kpi_period, p.period_start, p.lo::pg_catalog.timestamptz FROM kpi_period p
	WHERE p.covered AND p.period_start < p.lo::pg_catalog.timestamptz
	UNION ALL
	SELECT p.kpi_period, p.hi::pg_catalog.timestamptz, p.period_end FROM kpi_period p
	WHERE p.covered AND p.hi::pg_catalog.timestamptz < p.period_end
	UNION ALL
	SELECT p.kpi_period, c.bucket_start::pg_catalog.timestamptz, (c.bucket_start + %1$s)::pg_catalog.timestamptz
	FROM kpi_period p JOIN (SELECT DISTINCT bucket_start FROM %5$s WHERE bucket_start IS NOT NULL) AS c
		 ON c.bucket_start >= p.lo AND c.bucket_start < p.hi
	WHERE p.covered
),
kpi_merged AS (
	SELECT p.kpi_period%6$s, kpi_summary.row_count AS kpi_rows%7$s
	FROM kpi_period p JOIN %8$s AS kpi_summary ON kpi_summary.bucket_start >= p.lo AND kpi_summary.bucket_start < p.hi
	WHERE p.covered AND NOT EXISTS (SELECT FROM %5$s AS c WHERE c.bucket_start = kpi_summary.bucket_start)
	UNION ALL
	SELECT r.kpi_period%9$s, pg_catalog.count(*)%10$s
	FROM kpi_raw_range r JOIN %11$s AS kpi_source ON kpi_source.%12$I >= r.raw_start AND kpi_source.%12$I < r.raw_end
	GROUP BY r.kpi_period%9$s
)
SELECT kpi_period, ARRAY[%13$s]::pg_catalog.float8[], ARRAY[%14$s]::pg_catalog.int8[]%15$s
FROM kpi_merged GROUP BY kpi_period$q$,
			stride, pg_catalog.format(to_bucket, '$1[k]'), s.origin_sql, pg_catalog.format(to_bucket, '$1[k + 1]'),
			s.changes, replace(groups, 'kpi_source.', 'kpi_summary.'), ratios, s.summary,
			groups, raw_ratios, s.source, s.time_column,
			pg_catalog.array_to_string(value_list, ', '), pg_catalog.array_to_string(count_list, ', '),
			CASE WHEN with_states THEN pg_catalog.format(', ARRAY[%s]::kpi.ratio[]', pg_catalog.array_to_string(state_list, ', '))
				 ELSE '' END);
	END LOOP;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION kpi.summary_query(kpi.definitions[], boolean) IS
	'Internal: kpi.source_query''s query (with with_states, the kpi.ratio summaries too) answered from a summary of the source (the summary''s buckets that lie wholly in a period and did not change since the last refresh, the source for the rest), or NULL when no summary serves every definition.';
