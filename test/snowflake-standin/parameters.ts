/**
 * The session parameters the service reports in the login response and in
 * every result's `data.parameters` (test only): the client reads its
 * keep-alive, bind-threshold and query-context settings from the login ones,
 * and decodes dates, times, timestamps and binary with the result's.
 */

export type ParameterValue = string | number | boolean;

/** The service's defaults for what snowflake-sdk reads. */
export const DEFAULT_PARAMETERS: Readonly<Record<string, ParameterValue>> = {
  TIMEZONE: 'America/Los_Angeles',
  DATE_OUTPUT_FORMAT: 'YYYY-MM-DD',
  TIME_OUTPUT_FORMAT: 'HH24:MI:SS',
  TIMESTAMP_OUTPUT_FORMAT: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM',
  TIMESTAMP_NTZ_OUTPUT_FORMAT: 'YYYY-MM-DD HH24:MI:SS.FF3',
  TIMESTAMP_LTZ_OUTPUT_FORMAT: '',
  TIMESTAMP_TZ_OUTPUT_FORMAT: '',
  TIMESTAMP_TYPE_MAPPING: 'TIMESTAMP_NTZ',
  CLIENT_TIMESTAMP_TYPE_MAPPING: 'TIMESTAMP_LTZ',
  BINARY_OUTPUT_FORMAT: 'HEX',
  CLIENT_SESSION_KEEP_ALIVE: false,
  CLIENT_SESSION_KEEP_ALIVE_HEARTBEAT_FREQUENCY: 3600,
  CLIENT_STAGE_ARRAY_BINDING_THRESHOLD: 65280,
  CLIENT_RESULT_CHUNK_SIZE: 160,
  CLIENT_PREFETCH_THREADS: 4,
  CLIENT_RESULT_COLUMN_CASE_INSENSITIVE: false,
  JS_TREAT_INTEGER_AS_BIGINT: false,
  MULTI_STATEMENT_COUNT: 1,
  QUERY_CONTEXT_CACHE_SIZE: 5,
  AUTOCOMMIT: true,
};

/** Defaults overlaid with the session's own (upper-case names), as `[{ name, value }]`. */
export function parameterList(session: Record<string, ParameterValue>): Array<{ name: string; value: ParameterValue }> {
  const merged: Record<string, ParameterValue> = { ...DEFAULT_PARAMETERS };
  for (const [name, value] of Object.entries(session)) merged[name.toUpperCase()] = value;
  return Object.entries(merged).map(([name, value]) => ({ name, value }));
}
