import java.math.BigDecimal;
import java.math.MathContext;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Reads kpi.scorecard, kpi.series and kpi.compare_periods through the PostgreSQL JDBC driver, the
 * one Metabase uses, and checks what a dashboard would get: the JDBC column
 * types (a type the driver does not know is Types.OTHER, which Metabase
 * cannot chart) and the values, against sums computed here from the raw rows.
 *
 * Usage: java -cp postgresql.jar:. KpiJdbcClient DATABASE
 * Connects with PGHOST, PGPORT, PGUSER and PGPASSWORD; exits 1 on any failure.
 */
public final class KpiJdbcClient {
	private static int failures = 0;

	private static void check(boolean ok, String what) {
		System.out.println((ok ? "ok      " : "FAILED  ") + what);
		if (!ok) {
			failures++;
		}
	}

	private static String env(String name, String fallback) {
		String value = System.getenv(name);
		return value == null || value.isEmpty() ? fallback : value;
	}

	private static Map<String, Integer> columnTypes(ResultSetMetaData md) throws Exception {
		Map<String, Integer> types = new HashMap<>();
		for (int i = 1; i <= md.getColumnCount(); i++) {
			types.put(md.getColumnName(i), md.getColumnType(i));
		}
		return types;
	}

	private static boolean isTimestamp(Integer type) {
		return type != null && (type == Types.TIMESTAMP || type == Types.TIMESTAMP_WITH_TIMEZONE);
	}

	private static boolean closeTo(double actual, BigDecimal expected) {
		double e = expected.doubleValue();
		return Math.abs(actual - e) <= 1e-12 * Math.abs(e);
	}

	/** Σspend / Σcustomers over [from, to), summed here from the raw rows. */
	private static BigDecimal cacByHand(Connection c, LocalDate from, LocalDate to) throws Exception {
		BigDecimal spend = BigDecimal.ZERO;
		long customers = 0;
		try (PreparedStatement ps = c.prepareStatement(
				"SELECT spend, customers FROM mon.daily WHERE day >= ? AND day < ?")) {
			ps.setObject(1, from);
			ps.setObject(2, to);
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next()) {
					spend = spend.add(rs.getBigDecimal(1));
					customers += rs.getLong(2);
				}
			}
		}
		return spend.divide(BigDecimal.valueOf(customers), MathContext.DECIMAL128);
	}

	public static void main(String[] args) throws Exception {
		String host = env("PGHOST", "localhost");
		if (host.startsWith("/")) {
			host = "localhost";		// JDBC speaks TCP only
		}
		String url = "jdbc:postgresql://" + host + ":" + env("PGPORT", "5432") + "/" + args[0];
		Properties props = new Properties();
		props.setProperty("user", env("PGUSER", System.getProperty("user.name")));
		if (System.getenv("PGPASSWORD") != null) {
			props.setProperty("password", System.getenv("PGPASSWORD"));
		}

		try (Connection c = DriverManager.getConnection(url, props); Statement st = c.createStatement()) {
			st.execute("SET TimeZone = 'Europe/Berlin'");
			st.execute("SET kpi.as_of = '2026-02-18 10:00'");
			System.out.println("driver  " + c.getMetaData().getDriverName() + " " + c.getMetaData().getDriverVersion());

			// The scorecard: column types.
			try (ResultSet rs = st.executeQuery("SELECT * FROM kpi.scorecard ORDER BY name")) {
				Map<String, Integer> types = columnTypes(rs.getMetaData());
				for (String col : new String[] {"baseline", "target", "current", "previous", "change",
						"relative_change", "progress", "expected_progress", "target_path", "year_ago", "yoy_change", "p_value"}) {
					check(types.get(col) != null && types.get(col) == Types.DOUBLE,
						  "scorecard." + col + " is DOUBLE (got " + types.get(col) + ")");
				}
				for (String col : new String[] {"starts_on", "due_on", "last_reviewed_on"}) {
					check(types.get(col) != null && types.get(col) == Types.DATE,
						  "scorecard." + col + " is DATE (got " + types.get(col) + ")");
				}
				for (String col : new String[] {"period_start", "period_end", "smart_checked_at"}) {
					check(isTimestamp(types.get(col)), "scorecard." + col + " is TIMESTAMP (got " + types.get(col) + ")");
				}
				for (String col : new String[] {"name", "title", "owner", "metric", "unit", "direction", "status"}) {
					check(types.get(col) != null && types.get(col) == Types.VARCHAR,
						  "scorecard." + col + " is VARCHAR (got " + types.get(col) + ")");
				}
				for (String col : new String[] {"smart", "review_due", "significant_change"}) {
					check(types.get(col) != null && (types.get(col) == Types.BIT || types.get(col) == Types.BOOLEAN),
						  "scorecard." + col + " is BOOLEAN (got " + types.get(col) + ")");
				}
				Set<Integer> unknown = Set.of(Types.OTHER, Types.JAVA_OBJECT, Types.STRUCT, Types.DISTINCT, Types.BINARY);
				for (Map.Entry<String, Integer> col : types.entrySet()) {
					check(!unknown.contains(col.getValue()), "scorecard." + col.getKey() + " has a type JDBC knows");
				}

				// The values.
				int rows = 0;
				while (rs.next()) {
					rows++;
					if (!rs.getString("name").equals("mon_cac_all")) {
						continue;
					}
					check(rs.getObject("current") instanceof Double, "mon_cac_all.current arrives as java.lang.Double");
					check(rs.getObject("due_on") instanceof java.sql.Date, "mon_cac_all.due_on arrives as java.sql.Date");
					check(rs.getDate("due_on").toLocalDate().equals(LocalDate.of(2026, 3, 16)), "mon_cac_all.due_on is 2026-03-16");
					OffsetDateTime start = rs.getObject("period_start", OffsetDateTime.class);
					OffsetDateTime end = rs.getObject("period_end", OffsetDateTime.class);
					check(start.toInstant().equals(OffsetDateTime.parse("2026-02-09T00:00+01:00").toInstant()),
						  "mon_cac_all.period_start is Monday 2026-02-09 00:00 in Berlin (got " + start + ")");
					check(end.toInstant().equals(OffsetDateTime.parse("2026-02-16T00:00+01:00").toInstant()),
						  "mon_cac_all.period_end is Monday 2026-02-16 00:00 in Berlin (got " + end + ")");
					BigDecimal current = cacByHand(c, LocalDate.of(2026, 2, 9), LocalDate.of(2026, 2, 16));
					BigDecimal previous = cacByHand(c, LocalDate.of(2026, 2, 2), LocalDate.of(2026, 2, 9));
					check(closeTo(rs.getDouble("current"), current),
						  "mon_cac_all.current " + rs.getDouble("current") + " = Σspend/Σcustomers " + current);
					check(closeTo(rs.getDouble("previous"), previous),
						  "mon_cac_all.previous " + rs.getDouble("previous") + " = Σspend/Σcustomers " + previous);
					double progress = (current.doubleValue() - 60) / (40 - 60);
					check(Math.abs(rs.getDouble("progress") - progress) < 1e-9, "mon_cac_all.progress = (current − 60) / (40 − 60)");
					String status = rs.getString("status");
					check(Set.of("on_track", "at_risk", "off_track", "no_data").contains(status), "mon_cac_all.status is a known status: " + status);
				}
				check(rows == 8, "the scorecard has one row per active KPI (got " + rows + ")");
			}

			// The series: column types, empty weeks, one value by hand.
			try (PreparedStatement ps = c.prepareStatement(
					"SELECT * FROM kpi.series(?, ?::interval, ?::timestamptz, ?::timestamptz)")) {
				ps.setString(1, "mon_events_leads");
				ps.setString(2, "1 week");
				ps.setString(3, "2025-11-24");
				ps.setString(4, "2026-02-16");
				try (ResultSet rs = ps.executeQuery()) {
					Map<String, Integer> types = columnTypes(rs.getMetaData());
					check(isTimestamp(types.get("bucket_start")), "series.bucket_start is TIMESTAMP (got " + types.get("bucket_start") + ")");
					check(types.get("value") == Types.DOUBLE, "series.value is DOUBLE (got " + types.get("value") + ")");
					check(types.get("target_path") == Types.DOUBLE, "series.target_path is DOUBLE (got " + types.get("target_path") + ")");
					check(types.get("status") == Types.VARCHAR, "series.status is VARCHAR (got " + types.get("status") + ")");
					int weeks = 0;
					int empty = 0;
					int emptyButNotNoData = 0;
					while (rs.next()) {
						weeks++;
						if (rs.getObject("value") == null) {
							empty++;
							if (!"no_data".equals(rs.getString("status"))) {
								emptyButNotNoData++;
							}
						}
					}
					check(weeks == 12, "12 weekly buckets, empty ones included (got " + weeks + ")");
					check(empty == 8, "8 of them without events, read as SQL NULL (got " + empty + ")");
					check(emptyButNotNoData == 0, "every empty week has status no_data");
				}
				ps.setString(1, "mon_cac_all");
				try (ResultSet rs = ps.executeQuery()) {
					double last = Double.NaN;
					while (rs.next()) {
						last = rs.getDouble("value");
					}
					BigDecimal byHand = cacByHand(c, LocalDate.of(2026, 2, 9), LocalDate.of(2026, 2, 16));
					check(closeTo(last, byHand), "series value of the last week " + last + " = Σspend/Σcustomers " + byHand);
				}
			}

			// Period over period: column types, and the last complete ISO week
			// against the one before, summed here.
			try (ResultSet rs = st.executeQuery("SELECT * FROM kpi.compare_periods('mon_cac_all', 'week')")) {
				Map<String, Integer> types = columnTypes(rs.getMetaData());
				for (String col : new String[] {"current_value", "compared_value", "change", "relative_change", "p_value"}) {
					check(types.get(col) != null && types.get(col) == Types.DOUBLE,
						  "compare_periods." + col + " is DOUBLE (got " + types.get(col) + ")");
				}
				for (String col : new String[] {"current_start", "current_end", "compared_start", "compared_end"}) {
					check(isTimestamp(types.get(col)), "compare_periods." + col + " is TIMESTAMP (got " + types.get(col) + ")");
				}
				for (String col : new String[] {"comparison", "note"}) {
					check(types.get(col) != null && types.get(col) == Types.VARCHAR,
						  "compare_periods." + col + " is VARCHAR (got " + types.get(col) + ")");
				}
				for (String col : new String[] {"improved", "clamped", "significant"}) {
					check(types.get(col) != null && (types.get(col) == Types.BIT || types.get(col) == Types.BOOLEAN),
						  "compare_periods." + col + " is BOOLEAN (got " + types.get(col) + ")");
				}
				int comparisons = 0;
				while (rs.next()) {
					comparisons++;
					if (!rs.getString("comparison").equals("complete_vs_previous")) {
						continue;
					}
					OffsetDateTime start = rs.getObject("current_start", OffsetDateTime.class);
					check(start.toInstant().equals(OffsetDateTime.parse("2026-02-09T00:00+01:00").toInstant()),
						  "the last complete ISO week starts on Monday 2026-02-09 in Berlin (got " + start + ")");
					BigDecimal current = cacByHand(c, LocalDate.of(2026, 2, 9), LocalDate.of(2026, 2, 16));
					BigDecimal previous = cacByHand(c, LocalDate.of(2026, 2, 2), LocalDate.of(2026, 2, 9));
					check(closeTo(rs.getDouble("current_value"), current) && closeTo(rs.getDouble("compared_value"), previous),
						  "compare_periods values " + rs.getDouble("current_value") + ", " + rs.getDouble("compared_value")
						  + " = Σspend/Σcustomers " + current + ", " + previous);
				}
				check(comparisons == 4, "four comparisons (got " + comparisons + ")");
			}
		}

		if (failures > 0) {
			System.err.println(failures + " check(s) failed");
			System.exit(1);
		}
		System.out.println("all checks passed");
	}
}
