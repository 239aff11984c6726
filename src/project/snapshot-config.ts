import { UserError, type SourcePlace } from '../errors.js';

export type HardDeletes = 'ignore' | 'invalidate' | 'new_record';

/** The meta columns a snapshot adds, after `snapshot_meta_column_names`. */
export interface SnapshotMetaColumns {
  dbt_valid_from: string;
  dbt_valid_to: string;
  dbt_scd_id: string;
  dbt_updated_at: string;
  dbt_is_deleted: string;
}

/** A snapshot's configuration, checked: what the materialization acts on. */
export interface SnapshotSpec {
  strategy: 'timestamp' | 'check';
  /** One column, or several for a composite key. */
  uniqueKey: string[];
  /** timestamp strategy: the source's change-time column; check strategy: when set, the versions' time instead of the run's */
  updatedAt?: string;
  /** check strategy: the columns compared, or 'all'. */
  checkCols?: string[] | 'all';
  hardDeletes: HardDeletes;
  metaColumns: SnapshotMetaColumns;
  /** SQL expression for dbt_valid_to of current rows; null when unset (dbt's default). */
  validToCurrent: string | null;
  schema?: string;
  database?: string;
  alias?: string;
}

const DEFAULT_META: SnapshotMetaColumns = {
  dbt_valid_from: 'dbt_valid_from',
  dbt_valid_to: 'dbt_valid_to',
  dbt_scd_id: 'dbt_scd_id',
  dbt_updated_at: 'dbt_updated_at',
  dbt_is_deleted: 'dbt_is_deleted',
};

function stringOrList(v: unknown): string[] | undefined {
  if (typeof v === 'string' && v.trim()) return [v.trim()];
  if (Array.isArray(v) && v.length && v.every((x) => typeof x === 'string' && x.trim())) return v.map((x: string) => x.trim());
  return undefined;
}

function optString(v: unknown, key: string, place: SourcePlace, errors: UserError[]): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && v.trim()) return v.trim();
  errors.push(new UserError(`snapshot config ${key} must be a non-empty string`, place));
  return undefined;
}

/**
 * Checks a snapshot's merged config (project file, properties file and
 * config() call) and returns what the materialization needs. Every mistake is
 * an error at the snapshot's place, found before anything runs.
 */
export function snapshotSpec(name: string, config: Record<string, unknown>, place: SourcePlace): { spec?: SnapshotSpec; errors: UserError[] } {
  const errors: UserError[] = [];
  const err = (msg: string, hint?: string): void => {
    errors.push(new UserError(`snapshot '${name}': ${msg}`, place, hint ? { hint } : {}));
  };

  const uniqueKey = stringOrList(config.unique_key);
  if (config.unique_key === undefined || config.unique_key === null) err('unique_key is required', "set unique_key: 'id' (or a list for a composite key)");
  else if (!uniqueKey) err('unique_key must be a column name or a list of column names');

  const strategy = config.strategy;
  let updatedAt: string | undefined;
  let checkCols: string[] | 'all' | undefined;
  if (strategy === undefined || strategy === null) err('strategy is required', "strategy: 'timestamp' (with updated_at) or 'check' (with check_cols)");
  else if (strategy === 'timestamp') {
    updatedAt = optString(config.updated_at, 'updated_at', place, errors);
    if (!updatedAt && (config.updated_at === undefined || config.updated_at === null)) err("the timestamp strategy needs updated_at", 'name the column that holds when each row last changed');
  } else if (strategy === 'check') {
    updatedAt = optString(config.updated_at, 'updated_at', place, errors);
    const cc = config.check_cols;
    if (cc === undefined || cc === null) err("the check strategy needs check_cols", "a list of columns, or 'all'");
    else if (cc === 'all') checkCols = 'all';
    else {
      checkCols = stringOrList(cc);
      if (!checkCols) err("check_cols must be a list of column names or 'all'");
    }
  } else err(`unknown strategy '${String(strategy)}'`, "use 'timestamp' or 'check'");

  let hardDeletes: HardDeletes = 'ignore';
  const hd = config.hard_deletes;
  if (hd !== undefined && hd !== null) {
    if (hd === 'ignore' || hd === 'invalidate' || hd === 'new_record') hardDeletes = hd;
    else err(`unknown hard_deletes value '${String(hd)}'`, "use 'ignore', 'invalidate' or 'new_record'");
  }
  const legacy = config.invalidate_hard_deletes;
  if (legacy !== undefined && legacy !== null) {
    if (typeof legacy !== 'boolean') err('invalidate_hard_deletes must be true or false');
    else if (legacy && hd !== undefined && hd !== null && hd !== 'invalidate') err(`invalidate_hard_deletes: true contradicts hard_deletes: ${String(hd)}`, 'keep hard_deletes only');
    else if (legacy && (hd === undefined || hd === null)) hardDeletes = 'invalidate';
  }

  const metaColumns = { ...DEFAULT_META };
  const names = config.snapshot_meta_column_names;
  if (names !== undefined && names !== null) {
    if (typeof names !== 'object' || Array.isArray(names)) err('snapshot_meta_column_names must be a mapping');
    else {
      for (const [k, v] of Object.entries(names as Record<string, unknown>)) {
        if (!(k in DEFAULT_META)) err(`snapshot_meta_column_names has an unknown key '${k}'`, `known: ${Object.keys(DEFAULT_META).join(', ')}`);
        else if (typeof v !== 'string' || !v.trim()) err(`snapshot_meta_column_names.${k} must be a column name`);
        else metaColumns[k as keyof SnapshotMetaColumns] = v.trim();
      }
      const seen = new Set<string>();
      for (const v of Object.values(metaColumns)) {
        if (seen.has(v.toLowerCase())) err(`snapshot_meta_column_names gives two meta columns the name '${v}'`);
        seen.add(v.toLowerCase());
      }
    }
  }

  const vtc = config.dbt_valid_to_current;
  let validToCurrent: string | null = null;
  if (vtc !== undefined && vtc !== null) {
    if (typeof vtc !== 'string' || !vtc.trim()) err("dbt_valid_to_current must be a SQL expression string, e.g. \"to_date('9999-12-31')\"");
    else validToCurrent = vtc.trim();
  }

  // target_schema / target_database are the legacy spellings of schema / database.
  const schema = optString(config.schema ?? config.target_schema, config.schema !== undefined ? 'schema' : 'target_schema', place, errors);
  const database = optString(config.database ?? config.target_database, config.database !== undefined ? 'database' : 'target_database', place, errors);
  const alias = optString(config.alias, 'alias', place, errors);

  if (errors.length || !uniqueKey || (strategy !== 'timestamp' && strategy !== 'check')) return { errors };
  return { spec: { strategy, uniqueKey, updatedAt, checkCols, hardDeletes, metaColumns, validToCurrent, schema, database, alias }, errors };
}
