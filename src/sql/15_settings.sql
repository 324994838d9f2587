/* kpi -- settings */

/*
 * The kpi.* settings are plain custom settings (SET kpi.language = 'de'),
 * read and validated by kpi.setting() from one table in src/settings.c, which
 * says why they are not GUCs defined in C.  A bad value fails the first kpi
 * call that reads it, with one short message naming the setting and what it
 * allows (22023, or 22007 for kpi.as_of); kpi.settings() lists them all.
 */
CREATE FUNCTION kpi.setting(setting_name text) RETURNS text
	AS 'MODULE_PATHNAME', 'kpi_setting' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.setting(text) IS
	'The validated value of the setting kpi.<name>, or its default (NULL for an empty kpi.as_of); kpi.settings() lists the settings.';

CREATE FUNCTION kpi.settings(OUT name text, OUT value text, OUT default_value text, OUT allowed text, OUT description text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'kpi_settings_list' LANGUAGE C STABLE PARALLEL SAFE ROWS 6;
COMMENT ON FUNCTION kpi.settings() IS
	'Every kpi.* setting: its value in this session as set (NULL when not set), its default, the values it allows, and what it does.';
