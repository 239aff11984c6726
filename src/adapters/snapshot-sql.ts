/**
 * The SQL of snapshots (type-2 history tables), written once over a few
 * engine primitives: quoting, the warehouse's clock (`snapshotTime`), the
 * hash of dbt_scd_id (`snapshotHash`) and a NULL-safe comparison
 * (`distinctFrom`). Engines override those, not these statements.
 *
 * The meaning is dbt's, so a table dbt built is carried on: a row is current
 * while its valid_to is NULL (or `dbt_valid_to_current`); dbt_scd_id is the
 * md5 of the key and the version's time; a change closes the current row
 * (valid_to) and opens a new one; a key gone from the select is closed
 * (`invalidate`) or, with `new_record`, also gets a deletion row
 * (dbt_is_deleted = 'True') until it comes back.
 */
import type { Relation } from './types.js';

/** The meta columns, by their dbt names (after snapshot_meta_column_names). */
export interface SnapshotMetaNames {
  dbt_valid_from: string;
  dbt_valid_to: string;
  dbt_scd_id: string;
  dbt_updated_at: string;
  dbt_is_deleted: string;
}

/** What a snapshot's statements are made of. */
export interface SnapshotQuery {
  /** the snapshot table */
  target: Relation;
  /** the select's rows, staged in a table of their own for this run */
  source: Relation;
  strategy: 'timestamp' | 'check';
  /** unique_key: SQL expressions over the select's columns, as written */
  uniqueKey: string[];
  /** the timestamp strategy's updated_at (or the check strategy's, when set): an expression, as written */
  updatedAt?: string;
  /** check strategy: the columns compared (the select's names) */
  checkColumns: string[];
  /** check strategy: a checked column the table does not have yet makes every row a new version, as in dbt */
  everyRowChanged: boolean;
  hardDeletes: 'ignore' | 'invalidate' | 'new_record';
  meta: SnapshotMetaNames;
  /** SQL for valid_to of current rows; null: NULL (dbt's default) */
  validToCurrent: string | null;
  /** the select's columns, in order */
  sourceColumns: string[];
  /** the table's columns before this run (to know which a deletion row copies from the closed row) */
  targetColumns: string[];
}

/** The engine primitives the snapshot statements use. */
export interface SnapshotSqlDialect {
  quoteIdentifier(name: string): string;
  renderRelation(rel: Relation): string;
  distinctFrom(a: string, b: string): string;
  /** the time a run stamps (dbt's snapshot_get_time) */
  snapshotTime(): string;
  /** md5 of the arguments as text joined by '|' (dbt's snapshot_hash_arguments) */
  snapshotHash(args: string[]): string;
}

/** The column that says what a staged row is: 'insert' (a new version), 'update' (closes a changed row), 'delete' (closes a deleted key). */
export const CHANGE_COLUMN = '__tsql_change';

const keyAlias = (i: number) => `__tsql_key_${i + 1}`;

/** When the version starts: the select's updated_at, or the run's time (check strategy without updated_at). */
function versionTime(d: SnapshotSqlDialect, q: Pick<SnapshotQuery, 'updatedAt'>): string {
  return q.updatedAt ?? d.snapshotTime();
}

/** valid_to of a current row, typed like `time` (NULL, or dbt_valid_to_current). */
function currentValidTo(time: string, q: Pick<SnapshotQuery, 'validToCurrent'>): string {
  return `coalesce(nullif(${time}, ${time}), ${q.validToCurrent ?? 'null'})`;
}

/** Whether `alias`'s row is current. */
function isCurrent(d: SnapshotSqlDialect, alias: string, q: Pick<SnapshotQuery, 'meta' | 'validToCurrent'>): string {
  const col = `${alias}.${d.quoteIdentifier(q.meta.dbt_valid_to)}`;
  return q.validToCurrent ? `(${col} is null or ${col} = ${q.validToCurrent})` : `${col} is null`;
}

/** The first run: the staged rows with their meta columns. */
export function snapshotBuildSql(d: SnapshotSqlDialect, q: Omit<SnapshotQuery, 'checkColumns' | 'everyRowChanged' | 'targetColumns' | 'sourceColumns'>): string {
  const m = (k: keyof SnapshotMetaNames) => d.quoteIdentifier(q.meta[k]);
  const time = versionTime(d, q);
  const cols = [
    '__tsql_source.*',
    `${d.snapshotHash([...q.uniqueKey, time])} as ${m('dbt_scd_id')}`,
    `${time} as ${m('dbt_updated_at')}`,
    `${time} as ${m('dbt_valid_from')}`,
    `${currentValidTo(time, q)} as ${m('dbt_valid_to')}`,
  ];
  if (q.hardDeletes === 'new_record') cols.push(`'False' as ${m('dbt_is_deleted')}`);
  return `select\n  ${cols.join(',\n  ')}\nfrom ${d.renderRelation(q.source)} as __tsql_source`;
}

/**
 * The changes since the last run, one row each, with the snapshot's columns
 * and CHANGE_COLUMN: new versions of changed and new keys ('insert'), the
 * current rows they replace ('update'), current rows whose key is gone
 * ('delete', with invalidate / new_record) and, with new_record, a deletion row
 * per gone key ('insert', dbt_is_deleted 'True'). Staged before anything
 * changes; a run over the same rows stages nothing.
 */
export function snapshotChangesSql(d: SnapshotSqlDialect, q: SnapshotQuery): string {
  const qi = (s: string) => d.quoteIdentifier(s);
  const m = (k: keyof SnapshotMetaNames) => qi(q.meta[k]);
  const keys = q.uniqueKey.map((k, i) => `${k} as ${keyAlias(i)}`).join(', ');
  const join = q.uniqueKey.map((_k, i) => `c.${keyAlias(i)} = s.${keyAlias(i)}`).join(' and ');
  const now = d.snapshotTime();
  const withNewRecord = q.hardDeletes === 'new_record';
  const isDeleted = `coalesce(c.${m('dbt_is_deleted')}, 'False') = 'True'`;
  const notDeleted = `coalesce(c.${m('dbt_is_deleted')}, 'False') <> 'True'`;
  const changed =
    q.strategy === 'timestamp'
      ? `c.${m('dbt_valid_from')} < s.__tsql_updated_at`
      : q.everyRowChanged
        ? '1 = 1'
        : q.checkColumns.map((col) => d.distinctFrom(`c.${qi(col)}`, `s.${qi(col)}`)).join('\n    or ');
  // a key whose current row is a deletion row (new_record) has come back: new version, deletion row closed
  const changedOrBack = withNewRecord ? `(${changed})\n    or ${isDeleted}` : changed;
  const sourceCols = (from: (col: string) => string) => q.sourceColumns.map(from).join(', ');
  const known = new Set(q.targetColumns.map((c) => c.toLowerCase()));
  const tail = (scdId: string, updatedAt: string, validFrom: string, validTo: string, isDel: string) =>
    [`${scdId} as ${m('dbt_scd_id')}`, `${updatedAt} as ${m('dbt_updated_at')}`, `${validFrom} as ${m('dbt_valid_from')}`, `${validTo} as ${m('dbt_valid_to')}`, ...(withNewRecord ? [`${isDel} as ${m('dbt_is_deleted')}`] : [])].join(', ');

  const ctes = [
    `__tsql_source as (\n  select s.*, ${keys}, ${versionTime(d, q)} as __tsql_updated_at, ${d.snapshotHash([...q.uniqueKey, versionTime(d, q)])} as __tsql_scd_id\n  from ${d.renderRelation(q.source)} as s\n)`,
    `__tsql_current as (\n  select t.*, ${keys}\n  from ${d.renderRelation(q.target)} as t\n  where ${isCurrent(d, 't', q)}\n)`,
  ];
  const branches = [
    [
      `select 'insert' as ${CHANGE_COLUMN}, ${sourceCols((c) => `s.${qi(c)}`)},`,
      `  ${tail('s.__tsql_scd_id', 's.__tsql_updated_at', 's.__tsql_updated_at', currentValidTo('s.__tsql_updated_at', q), "'False'")}`,
      'from __tsql_source as s',
      `left join __tsql_current as c on ${join}`,
      `where c.${keyAlias(0)} is null\n  or (\n    ${changedOrBack}\n  )`,
    ],
    [
      `select 'update' as ${CHANGE_COLUMN}, ${sourceCols((c) => `s.${qi(c)}`)},`,
      `  ${tail(`c.${m('dbt_scd_id')}`, 's.__tsql_updated_at', 's.__tsql_updated_at', 's.__tsql_updated_at', `c.${m('dbt_is_deleted')}`)}`,
      'from __tsql_source as s',
      `join __tsql_current as c on ${join}`,
      `where ${changedOrBack}`,
    ],
  ];
  if (q.hardDeletes !== 'ignore') {
    const gone = [`from __tsql_current as c`, `left join __tsql_source as s on ${join}`, `where s.${keyAlias(0)} is null${withNewRecord ? ` and ${notDeleted}` : ''}`];
    branches.push([
      `select 'delete' as ${CHANGE_COLUMN}, ${sourceCols((c) => `s.${qi(c)}`)},`,
      `  ${tail(`c.${m('dbt_scd_id')}`, now, now, now, `c.${m('dbt_is_deleted')}`)}`,
      ...gone,
    ]);
    if (withNewRecord) {
      branches.push([
        `select 'insert' as ${CHANGE_COLUMN}, ${sourceCols((c) => (known.has(c.toLowerCase()) ? `c.${qi(c)}` : `s.${qi(c)}`))},`,
        `  ${tail(d.snapshotHash([`c.${m('dbt_scd_id')}`, now]), now, now, `c.${m('dbt_valid_to')}`, "'True'")}`,
        ...gone,
      ]);
    }
  }
  return `with ${ctes.join(',\n')}\n${branches.map((b) => b.join('\n')).join('\nunion all\n')}`;
}

/**
 * Closes the current rows the staged changes replace or delete (their
 * valid_to): UPDATE … FROM, the target named in full (an alias on UPDATE's
 * target is not taken everywhere).
 */
export function snapshotCloseSql(d: SnapshotSqlDialect, target: Relation, changes: Relation, q: Pick<SnapshotQuery, 'meta' | 'validToCurrent'>): string {
  const validTo = d.quoteIdentifier(q.meta.dbt_valid_to);
  const scdId = d.quoteIdentifier(q.meta.dbt_scd_id);
  const t = d.renderRelation(target);
  return [
    `update ${t}`,
    `set ${validTo} = __tsql_changes.${validTo}`,
    `from ${d.renderRelation(changes)} as __tsql_changes`,
    `where __tsql_changes.${scdId} = ${t}.${scdId}`,
    `  and __tsql_changes.${CHANGE_COLUMN} in ('update', 'delete')`,
    `  and ${isCurrent(d, t, q)}`,
  ].join('\n');
}

/** The same as a MERGE with only a matched clause (engines whose UPDATE … FROM is better avoided: Snowflake, as dbt-snowflake does). */
export function snapshotCloseMergeSql(d: SnapshotSqlDialect, target: Relation, changes: Relation, q: Pick<SnapshotQuery, 'meta' | 'validToCurrent'>): string {
  const validTo = d.quoteIdentifier(q.meta.dbt_valid_to);
  const scdId = d.quoteIdentifier(q.meta.dbt_scd_id);
  return [
    `merge into ${d.renderRelation(target)} as __tsql_target`,
    `using (select * from ${d.renderRelation(changes)} where ${CHANGE_COLUMN} in ('update', 'delete')) as __tsql_changes`,
    `on __tsql_changes.${scdId} = __tsql_target.${scdId}`,
    `when matched and ${isCurrent(d, '__tsql_target', q)} then update set ${validTo} = __tsql_changes.${validTo}`,
  ].join('\n');
}

/** Inserts the staged new versions (and deletion rows). */
export function snapshotInsertSql(d: SnapshotSqlDialect, target: Relation, changes: Relation, columns: string[]): string {
  const cols = columns.map((c) => d.quoteIdentifier(c)).join(', ');
  return `insert into ${d.renderRelation(target)} (${cols})\nselect ${cols} from ${d.renderRelation(changes)}\nwhere ${CHANGE_COLUMN} = 'insert'`;
}

/** How many values of the key occur more than once in the staged select, and how many rows have a NULL in it. */
export function snapshotKeyCheckSql(d: SnapshotSqlDialect, source: Relation, uniqueKey: string[]): string {
  const rel = d.renderRelation(source);
  const keys = uniqueKey.join(', ');
  return [
    'select',
    `  (select count(*) from (select ${keys} from ${rel} group by ${keys} having count(*) > 1) as __tsql_dups) as duplicated,`,
    `  (select count(*) from ${rel} where ${uniqueKey.map((k) => `(${k}) is null`).join(' or ')}) as null_keys`,
  ].join('\n');
}

/** dbt's default hash of dbt_scd_id: md5 of each argument cast to text (NULL as ''), joined by '|'. */
export function md5Arguments(args: string[]): string {
  return `md5(${args.map((a) => `coalesce(cast(${a} as varchar), '')`).join(" || '|' || ")})`;
}
