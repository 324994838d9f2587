/* kpi -- settings */

/*
 * The kpi.* settings are plain custom settings (SET kpi.language = 'de'),
 * validated here when they are read rather than defined in C.  A setting
 * defined in C only becomes real when the library loads, and if that first
 * load happens inside a parallel query PostgreSQL cannot apply the session's
 * earlier SET to it: the value would silently fall back to its default for
 * the rest of the session.  Reading them here avoids that trap, and a typo
 * in a value is still an error (22023, or 22007 for a malformed kpi.as_of)
 * the first time it matters.
 */
CREATE FUNCTION kpi.setting(setting_name text) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	raw text := NULLIF(pg_catalog.btrim(pg_catalog.current_setting('kpi.' || setting_name, true)), '');
	valid text;
BEGIN
	CASE setting_name
		WHEN 'language' THEN
			raw := pg_catalog.lower(COALESCE(raw, 'en'));
			IF raw IN ('en', 'de') THEN RETURN raw; END IF;
			valid := 'Valid values are en and de.';
		WHEN 'enforce_smart' THEN
			raw := pg_catalog.lower(COALESCE(raw, 'warn'));
			IF raw IN ('off', 'warn', 'error') THEN RETURN raw; END IF;
			valid := 'Valid values are off, warn and error.';
		WHEN 'max_active_kpis' THEN
			raw := COALESCE(raw, '5');
			IF raw ~ '^[0-9]{1,4}$' AND raw::integer BETWEEN 1 AND 1000 THEN RETURN raw; END IF;
			valid := 'The value must be an integer from 1 to 1000.';
		WHEN 'at_risk_margin' THEN
			raw := COALESCE(raw, '0.10');
			IF raw ~ '^[0-9]*\.?[0-9]+$' AND raw::numeric BETWEEN 0 AND 1 THEN RETURN raw; END IF;
			valid := 'The value must be a number from 0 to 1.';
		WHEN 'max_monthly_change' THEN
			raw := COALESCE(raw, '0.25');
			IF raw ~ '^[0-9]*\.?[0-9]+$' AND raw::numeric > 0 AND raw::numeric <= 100 THEN RETURN raw; END IF;
			valid := 'The value must be a number above 0 and at most 100 (0.25 = 25 % a month).';
		WHEN 'as_of' THEN
			-- A value that is no timestamp fails the cast with 22007.  (No
			-- exception block: that would open a subtransaction, which a
			-- parallel worker cannot.)
			RETURN raw::timestamptz::text;
		ELSE
			RAISE EXCEPTION 'unrecognized kpi setting "%"', setting_name
				USING ERRCODE = 'undefined_object',
					  HINT = 'The settings are kpi.language, kpi.enforce_smart, kpi.max_active_kpis, kpi.at_risk_margin, kpi.max_monthly_change and kpi.as_of.';
	END CASE;
	RAISE EXCEPTION 'invalid value for setting "kpi.%": "%"', setting_name, raw
		USING ERRCODE = 'invalid_parameter_value', HINT = valid;
END
$$;
COMMENT ON FUNCTION kpi.setting(text) IS
	'The validated value of the setting kpi.<name>, or its default: language (en), enforce_smart (warn), max_active_kpis (5), at_risk_margin (0.10), max_monthly_change (0.25), as_of (NULL = now()).';
