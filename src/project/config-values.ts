import { didYouMean } from '../util/suggest.js';
import { INCREMENTAL_STRATEGIES, MATERIALIZATIONS, ON_SCHEMA_CHANGE, type ConfigResource } from './config-keys.js';
import type { Config } from './config-merge.js';

/**
 * Config values that are wrong, wherever they are set (a model's config(), a
 * properties file, the project file's folder tree): checked before anything
 * runs, so a bad value is a mistake with its place (exit 2), not a failed node.
 */

/** The kind of value each engine-specific config key takes (checked on every engine: one project may target several). */
const CONFIG_TYPES: Partial<Record<string, 'boolean' | 'string' | 'strings'>> = {
  transient: 'boolean',
  copy_grants: 'boolean',
  secure: 'boolean',
  automatic_clustering: 'boolean',
  cluster_by: 'strings',
  query_tag: 'string',
  snowflake_warehouse: 'string',
  backup: 'boolean',
  bind: 'boolean',
  dist: 'string',
  sort: 'strings',
  sort_type: 'string',
  materialized: 'string',
  sql_header: 'string',
  unique_key: 'strings',
  incremental_predicates: 'strings',
};

/** Engine-specific config values that are wrong, by key: a wrong type, or a value tsql cannot act on. */
export function engineConfigProblems(config: Config, opts: { alone?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  // the config's own keys (a handful) against the table, not the table against every config
  for (const key in config) {
    const kind = CONFIG_TYPES[key];
    const v = config[key];
    if (kind === undefined || v === undefined || v === null) continue;
    const ok = kind === 'boolean' ? typeof v === 'boolean' : kind === 'string' ? typeof v === 'string' && v.trim() !== '' : typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'));
    if (!ok) out[key] = `must be ${kind === 'boolean' ? 'true or false' : kind === 'string' ? 'a non-empty string' : 'a string or a list of strings'}, not ${JSON.stringify(v)}`;
  }
  const types = config.column_types;
  if (types !== undefined && types !== null) {
    if (typeof types !== 'object' || Array.isArray(types)) out.column_types = `must be a mapping of column name to SQL type, e.g. {amount: 'numeric(10,2)'}, not ${JSON.stringify(types)}`;
    else {
      const bad = Object.entries(types as Record<string, unknown>).find(([, t]) => typeof t !== 'string' || t.trim() === '');
      if (bad) out.column_types = `'${bad[0]}' must be a SQL type as a string, e.g. '${bad[0]}': 'varchar', not ${JSON.stringify(bad[1])}`;
    }
  }
  const grants = grantsProblem(config.grants);
  if (grants) out.grants = grants;
  const docs = persistDocsProblem(config.persist_docs);
  if (docs) out.persist_docs = docs;
  const format = config.table_format;
  if (format !== undefined && format !== null && String(format).toLowerCase() !== 'default') {
    out.table_format = `'${String(format)}' is not supported by tsql yet (tables are Snowflake's own format); remove it or set it to 'default'`;
  }
  const indexes = config.indexes;
  if (indexes !== undefined && indexes !== null) {
    const problem = indexProblem(indexes);
    if (problem) out.indexes = problem;
  }
  if (config.unlogged !== undefined && config.unlogged !== null && typeof config.unlogged !== 'boolean') out.unlogged = `must be true or false, not ${JSON.stringify(config.unlogged)}`;
  if (!opts.alone && config.automatic_clustering === true && config.cluster_by === undefined) out.automatic_clustering = 'needs cluster_by (the clustering key to maintain)';
  return out;
}

const INDEX_TYPES = ['btree', 'hash', 'gist', 'spgist', 'gin', 'brin'];

/** `indexes: [{columns: [a, b], unique: true, type: btree}]`, as dbt-postgres takes it. */
function indexProblem(v: unknown): string | undefined {
  const example = 'e.g. [{columns: [id], unique: true}]';
  if (!Array.isArray(v)) return `must be a list of indexes, ${example}, not ${JSON.stringify(v)}`;
  for (const ix of v) {
    if (typeof ix !== 'object' || ix === null || Array.isArray(ix)) return `entries must be mappings, ${example}`;
    const o = ix as Record<string, unknown>;
    const unknown = Object.keys(o).find((k) => !['columns', 'unique', 'type'].includes(k));
    if (unknown) return `entries take columns, unique and type, not '${unknown}'`;
    if (!Array.isArray(o.columns) || !o.columns.length || !o.columns.every((c) => typeof c === 'string' && c)) return `each index needs columns: a list of column names, ${example}`;
    if (o.unique !== undefined && typeof o.unique !== 'boolean') return `unique must be true or false, not ${JSON.stringify(o.unique)}`;
    if (o.type !== undefined && !INDEX_TYPES.includes(String(o.type))) return `type must be one of ${INDEX_TYPES.join(', ')}, not '${String(o.type)}'`;
  }
  return undefined;
}

export interface ConfigValueProblem {
  key: string;
  message: string;
  hint?: string;
}

/** Every wrong value of a resource's config, one problem per key. */
/** `alone`: one key of a folder level, without the rest of the node's config (rules between keys wait for the merged config). */
export function configValueProblems(config: Config, resource: ConfigResource, opts: { alone?: boolean } = {}): ConfigValueProblem[] {
  const out: ConfigValueProblem[] = [];
  const mat = config.materialized;
  if (resource === 'snapshot' && mat !== undefined && mat !== null && mat !== 'snapshot') {
    out.push({ key: 'materialized', message: `a snapshot is materialized as 'snapshot', not ${JSON.stringify(mat)}`, hint: 'remove materialized; to build a table from the same select, write a model' });
  }
  if (resource === 'model' && typeof mat === 'string' && !MATERIALIZATIONS.includes(mat)) {
    out.push({ key: 'materialized', message: `unknown materialization '${mat}'`, hint: didYouMean(mat, MATERIALIZATIONS) ?? `use one of ${MATERIALIZATIONS.slice(0, 5).join(', ')}` });
  }
  const strategy = config.incremental_strategy;
  if (strategy !== undefined && strategy !== null && !INCREMENTAL_STRATEGIES.includes(String(strategy))) {
    out.push({ key: 'incremental_strategy', message: `unknown incremental_strategy '${String(strategy)}'`, hint: didYouMean(String(strategy), INCREMENTAL_STRATEGIES) ?? `use one of ${INCREMENTAL_STRATEGIES.join(', ')}` });
  }
  const osc = config.on_schema_change;
  if (osc !== undefined && osc !== null && !ON_SCHEMA_CHANGE.includes(String(osc))) {
    out.push({ key: 'on_schema_change', message: `unknown on_schema_change '${String(osc)}'`, hint: didYouMean(String(osc), ON_SCHEMA_CHANGE) ?? `use one of ${ON_SCHEMA_CHANGE.join(', ')}` });
  }
  for (const [key, problem] of Object.entries(engineConfigProblems(config, opts))) out.push({ key, message: `${key} ${problem}` });
  return out;
}

/** `grants` is a mapping of privilege to a grantee or a list of grantees, each a non-empty string. */
function grantsProblem(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) return `must be a mapping of privilege to grantees, e.g. {select: ['reporter', 'bi']}, not ${JSON.stringify(v)}`;
  for (const [privilege, grantees] of Object.entries(v as Record<string, unknown>)) {
    if (!/^\+?[A-Za-z][A-Za-z _]*$/.test(privilege)) return `privilege '${privilege}' is not a privilege name (letters and spaces, e.g. select)`;
    const list = typeof grantees === 'string' ? [grantees] : grantees;
    if (!Array.isArray(list)) return `'${privilege}' must be a grantee or a list of grantees, e.g. ['reporter'], not ${JSON.stringify(grantees)}`;
    const bad = list.find((g) => typeof g !== 'string' || g.trim() === '');
    if (bad !== undefined) return `'${privilege}': each grantee must be a name as a string, not ${JSON.stringify(bad)}`;
  }
  return undefined;
}

/** `persist_docs` is a mapping with `relation` and `columns`, each true or false. */
function persistDocsProblem(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) return `must be a mapping, e.g. {relation: true, columns: true}, not ${JSON.stringify(v)}`;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (k !== 'relation' && k !== 'columns') return `has no key '${k}' (it takes relation and columns)${didYouMean(k, ['relation', 'columns']) ? ` ${didYouMean(k, ['relation', 'columns'])}` : ''}`;
    if (typeof x !== 'boolean') return `${k} must be true or false, not ${JSON.stringify(x)}`;
  }
  return undefined;
}
