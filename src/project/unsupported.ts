import { UserError, placePrefix, type LazyPlace } from '../errors.js';
import type { ConfigResource } from './config-keys.js';

/**
 * What tsql does with each key dbt accepts that tsql does not act on: one table,
 * so "nothing is silent" is data, not scattered ifs. Keys tsql acts on are not
 * listed (their code is the contract), nor are keys being built elsewhere.
 *
 * - `warn`: accepted, does nothing; a warning naming the file and line.
 * - `error`: ignoring it would give a wrong result; a user error (exit 2).
 * `when` narrows an entry to the values tsql cannot honour (quote_columns: false, say).
 */
export type Decision = 'warn' | 'error';

export interface UnsupportedEntry {
  decision: Decision;
  /** why tsql does not act on it (shown to the user, and in the README) */
  reason: string;
  /** the resources the entry is about (default: every one) */
  resources?: ConfigResource[];
  /** only these values are unsupported; `config`: the mapping the key was written in (the merged config for config() in SQL) */
  when?: (value: unknown, config?: Record<string, unknown>) => boolean;
  /** dbt reads it from the root project only: an installed package's is not a warning (dbt ignores it too) */
  rootOnly?: boolean;
}

/** Config keys (models:/seeds: folders, properties `config:`, `config()` in SQL). */
export const UNSUPPORTED_CONFIG: Record<string, UnsupportedEntry> = {
  language: { decision: 'error', reason: 'Python models are deliberately not supported: tsql runs SQL, which every engine it targets executes itself', resources: ['model'], when: (v) => v !== 'sql' },
  submission_method: { decision: 'error', reason: 'it configures Python models, which tsql deliberately does not run', resources: ['model'] },
  packages: { decision: 'error', reason: 'it lists the Python packages of a Python model, which tsql deliberately does not run', resources: ['model'] },
  partition_by: {
    decision: 'warn',
    reason: 'tsql uses it only for incremental_strategy insert_overwrite: it is BigQuery\'s and Databricks\' table partitioning, and no engine tsql supports partitions a table itself',
    resources: ['model'],
    when: (_v, config) => config?.incremental_strategy !== 'insert_overwrite',
  },
  on_configuration_change: { decision: 'warn', reason: 'it applies to materialized views, which tsql deliberately does not build: the engine refreshes them outside a run, so tsql could not test them or swap them in atomically' },
  autorefresh: { decision: 'warn', reason: 'it applies to Redshift materialized views, which tsql deliberately does not build (the engine refreshes them outside a run)' },
  overwrite: {
    decision: 'warn',
    reason: 'an unload always replaces its file, atomically: a rerun or a backfill of a day must write that day\'s file again, and a write-once mode would make every rerun fail',
    when: (v) => v === false,
  },
  unlogged: { decision: 'warn', reason: 'seed tables are deliberately always logged: PostgreSQL empties an unlogged table after a crash, and nothing would reload the seed before models read it', resources: ['seed'], when: (v) => v === true },
  full_refresh: { decision: 'warn', reason: 'snapshots never run a full refresh, as in dbt: their history cannot be rebuilt', resources: ['snapshot'] },
};

/** Keys of a model / seed entry in a properties file (beside `config:`). */
export const UNSUPPORTED_PROPERTY: Record<string, UnsupportedEntry> = {
  versions: { decision: 'error', reason: 'model versions are deliberately not supported: they serve dbt Mesh contracts across projects; in one project, a new model name does the same, and ignoring them would build the wrong file' },
  latest_version: { decision: 'error', reason: 'model versions are deliberately not supported (they serve dbt Mesh contracts across projects)' },
  time_spine: { decision: 'warn', reason: "it belongs to the semantic layer, which is dbt Cloud's and deliberately not in tsql" },
};

/** Keys of a column entry. */
export const UNSUPPORTED_COLUMN: Record<string, UnsupportedEntry> = {
  policy_tags: { decision: 'warn', reason: 'BigQuery policy tags: deliberately not read, since no engine tsql supports has them' },
  granularity: { decision: 'warn', reason: "it belongs to the semantic layer, which is dbt Cloud's and deliberately not in tsql" },
};

/** Top-level keys of a properties file. */
export const UNSUPPORTED_PROPERTIES_TOP: Record<string, UnsupportedEntry> = {
  metrics: { decision: 'warn', reason: "the semantic layer is dbt Cloud's and deliberately not in tsql" },
  semantic_models: { decision: 'warn', reason: "the semantic layer is dbt Cloud's and deliberately not in tsql" },
  saved_queries: { decision: 'warn', reason: "the semantic layer is dbt Cloud's and deliberately not in tsql" },
};

/** Keys of the project file. */
export const UNSUPPORTED_PROJECT: Record<string, UnsupportedEntry> = {
  'log-path': { decision: 'warn', reason: 'tsql deliberately writes no log files: it logs to the console (--log-format json for machines), which the scheduler running it keeps', rootOnly: true },
  'query-comment': { decision: 'warn', reason: 'tsql deliberately sends the SQL as compiled, without a comment, so what runs is what target/run/ shows', rootOnly: true },
  'restrict-access': { decision: 'warn', reason: 'it governs access across projects (dbt Mesh); tsql builds one project, whose access rules (groups, private models) it enforces' },
  metrics: { decision: 'warn', reason: "the semantic layer is dbt Cloud's and deliberately not in tsql" },
  'semantic-models': { decision: 'warn', reason: "the semantic layer is dbt Cloud's and deliberately not in tsql" },
  'saved-queries': { decision: 'warn', reason: "the semantic layer is dbt Cloud's and deliberately not in tsql" },
};

/**
 * Model config that only some engines act on: `capability` names the dialect's
 * capability, `materializations` those that build a table. On a node whose
 * engine or materialization does not take it, a warning naming the file and line.
 */
export const ENGINE_CONFIG: Record<string, { capability: 'indexes' | 'unlogged'; materializations: string[]; what: string; active?: (v: unknown) => boolean }> = {
  indexes: { capability: 'indexes', materializations: ['table', 'incremental', 'snapshot', 'seed'], what: 'indexes are created on PostgreSQL tables only', active: (v) => Array.isArray(v) && v.length > 0 },
  unlogged: { capability: 'unlogged', materializations: ['table', 'incremental'], what: 'unlogged tables are PostgreSQL\'s', active: (v) => v === true },
};

/** The warnings ENGINE_CONFIG gives one model (or seed) on its engine; `place` is found once, when a key applies. */
export function engineConfigWarnings(config: Record<string, unknown>, engine: { type: string; capabilities: Partial<Record<'indexes' | 'unlogged', boolean>> }, place: LazyPlace, resource: 'model' | 'seed' = 'model'): string[] {
  const out: string[] = [];
  let where: string | undefined;
  for (const [key, rule] of Object.entries(ENGINE_CONFIG)) {
    if (!(key in config) || (rule.active && !rule.active(config[key]))) continue;
    where ??= placePrefix(place());
    const mat = String(config.materialized);
    if (!engine.capabilities[rule.capability]) out.push(`${where}${resource} config '${key}' is ignored on ${engine.type}: ${rule.what}`);
    else if (!rule.materializations.includes(mat)) out.push(`${where}${resource} config '${key}' is ignored for a ${mat}: it applies to tables and incremental models`);
  }
  return out;
}

/** The outcome of checking keys against a table: warnings (lines) and errors. */
export interface UnsupportedFindings {
  warnings: string[];
  errors: UserError[];
}

export function emptyFindings(): UnsupportedFindings {
  return { warnings: [], errors: [] };
}

/** One key against a table; adds a warning or an error naming `place` (found only then). */
export function checkUnsupported(table: Record<string, UnsupportedEntry>, key: string, value: unknown, what: string, place: LazyPlace, out: UnsupportedFindings, resource?: ConfigResource, context?: Record<string, unknown>): void {
  const entry = Object.hasOwn(table, key) ? table[key] : undefined;
  if (!entry) return;
  if (resource && entry.resources && !entry.resources.includes(resource)) return;
  if (entry.when && !entry.when(value, context)) return;
  if (entry.decision === 'error') {
    out.errors.push(new UserError(`${what} '${key}' is not supported: ${entry.reason}`, place()));
    return;
  }
  out.warnings.push(`${placePrefix(place())}${what} '${key}' is ignored: ${entry.reason}`);
}

/** Every key of a config mapping against UNSUPPORTED_CONFIG. */
export function checkUnsupportedConfig(config: Record<string, unknown>, resource: ConfigResource, place: LazyPlace, out: UnsupportedFindings, context: Record<string, unknown> = config): void {
  for (const [k, v] of Object.entries(config)) checkUnsupported(UNSUPPORTED_CONFIG, k, v, `${resource} config`, place, out, resource, context);
}
