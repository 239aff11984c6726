import type { Column, Dialect, DialectCapabilities, ExternalTableSpec, Relation, RelationKind, TableConstraint, TableOptions } from './types.js';
import { canonicalTypeName } from './type-names.js';
import { md5Arguments, snapshotBuildSql, snapshotChangesSql, snapshotCloseSql, snapshotInsertSql, snapshotKeyCheckSql, type SnapshotQuery } from './snapshot-sql.js';
import { eventTimeText } from '../run-date/batches.js';

/** dbt's names for the target and the new rows in a merge or delete, which incremental_predicates use. */
export const DEST = 'DBT_INTERNAL_DEST';
export const SOURCE = 'DBT_INTERNAL_SOURCE';

export type SeedTypeNames = Record<'boolean' | 'integer' | 'bigint' | 'double' | 'decimal' | 'date' | 'timestamp' | 'text', string>;

/** Seed column types in standard SQL (DuckDB's names); `text` is the fallback for anything else. */
export const ANSI_SEED_TYPES: SeedTypeNames = {
  boolean: 'boolean',
  integer: 'integer',
  bigint: 'bigint',
  double: 'double',
  decimal: 'decimal',
  date: 'date',
  timestamp: 'timestamp',
  text: 'varchar',
};

/**
 * ANSI-ish SQL shared by the engines. An engine's dialect extends this and
 * overrides only what differs; capabilities are data, not `if (type === …)`.
 */
export abstract class AnsiDialect implements Dialect {
  abstract readonly type: string;
  readonly parentType?: string;
  abstract readonly capabilities: DialectCapabilities;
  readonly unquotedCase: 'lower' | 'upper' | 'preserve' = 'lower';

  quoteIdentifier(name: string): string {
    return this.quoteExactly(name);
  }

  quoteExactly(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
  }

  quoteString(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
  }

  renderRelation(rel: Relation): string {
    const parts = [rel.database, rel.schema, rel.identifier].filter((p): p is string => !!p);
    return parts.map((p) => this.quoteIdentifier(p)).join('.');
  }

  protected schemaName(database: string | undefined, schema: string): string {
    return database ? `${this.quoteIdentifier(database)}.${this.quoteIdentifier(schema)}` : this.quoteIdentifier(schema);
  }

  createSchema(database: string | undefined, schema: string): string {
    return `create schema if not exists ${this.schemaName(database, schema)}`;
  }

  createView(rel: Relation, sql: string): string {
    return `create view ${this.renderRelation(rel)} as (\n${sql}\n)`;
  }

  createTableAs(rel: Relation, sql: string, opts: { temporary?: boolean } = {}): string {
    const name = opts.temporary ? this.quoteIdentifier(rel.identifier) : this.renderRelation(rel);
    return `create ${opts.temporary ? 'temporary ' : ''}table ${name} as (\n${sql}\n)`;
  }

  createTable(rel: Relation, columns: Column[]): string {
    return `create table ${this.renderRelation(rel)} (\n${this.columnDefinitions(columns)}\n)`;
  }

  /**
   * Column constraints inline (not null first), the rest as table constraints.
   * `physical` is the engine's table layout (ignored here; engines override).
   * `target` is the relation the table becomes once swapped in (`rel` when it is built in place): unnamed constraints are named after it.
   */
  createContractedTable(rel: Relation, columns: Column[], constraints: TableConstraint[], _physical?: TableOptions, target: Relation = rel): string {
    return `${this.createTableKeyword()} ${this.renderRelation(rel)} (\n${this.contractedDefinitions(target, columns, constraints)}\n)`;
  }

  /** `create table` (Snowflake: `create transient table`). */
  protected createTableKeyword(): string {
    return 'create table';
  }

  /** `target`: the relation unnamed constraints are named after (see createContractedTable). */
  protected contractedDefinitions(target: Relation, columns: Column[], constraints: TableConstraint[]): string {
    const lower = (s: string) => s.toLowerCase();
    const notNull = new Set(constraints.filter((c) => c.type === 'not_null').flatMap((c) => c.columns.map(lower)));
    const lines = columns.map((c) => `  ${this.columnName(c)} ${c.dataType}${notNull.has(lower(c.name)) ? ' not null' : ''}`);
    const exact = new Set(columns.filter((c) => c.quoted).map((c) => c.name));
    const cols = (names: string[]) => names.map((n) => (exact.has(n) ? this.quoteExactly(n) : this.quoteIdentifier(n))).join(', ');
    const taken = new Set(constraints.flatMap((c) => (c.name ? [c.name] : [])));
    constraints.forEach((c, i) => {
      const named = (body: string) => {
        const name = c.name ?? this.constraintName(target, c, i, columns, taken);
        return `  ${name ? `constraint ${this.quoteIdentifier(name)} ` : ''}${body}`;
      };
      if (c.type === 'primary_key') lines.push(named(`primary key (${cols(c.columns)})`));
      else if (c.type === 'unique') lines.push(named(`unique (${cols(c.columns)})`));
      else if (c.type === 'check') lines.push(named(`check (${c.expression})`));
      else if (c.type === 'foreign_key') lines.push(named(`foreign key (${cols(c.columns)}) references ${c.references}${c.toColumns?.length ? ` (${cols(c.toColumns)})` : ''}`));
      else if (c.type === 'custom' && c.expression) lines.push(`  ${c.expression}`);
    });
    return lines.join(',\n');
  }

  /**
   * A name for an unnamed constraint of the table that becomes `_target`, of its
   * `_columns`, unique among `_taken` (the table's constraint names so far, to
   * which it adds it); undefined lets the engine choose (engines that name
   * constraints after the table they are created on, the staged one, override).
   */
  protected constraintName(_target: Relation, _c: TableConstraint, _i: number, _columns: Column[], _taken: Set<string>): string | undefined {
    return undefined;
  }

  /** A column as written in DDL and DML: exactly as named for `quote: true`, else as the engine's names go. */
  protected columnName(c: string | Column): string {
    return typeof c === 'string' ? this.quoteIdentifier(c) : c.quoted ? this.quoteExactly(c.name) : this.quoteIdentifier(c.name);
  }

  insertSelect(target: Relation, columns: Array<string | Column>, sql: string): string {
    const cols = columns.map((c) => this.columnName(c)).join(', ');
    return `insert into ${this.renderRelation(target)} (${cols})\nselect ${cols} from (\n${sql}\n) as tsql_contracted`;
  }

  canonicalType(type: string): string {
    return canonicalTypeName(type);
  }

  /** `  "name" type` lines of a CREATE TABLE. */
  protected columnDefinitions(columns: Column[]): string {
    return columns.map((c) => `  ${this.columnName(c)} ${c.dataType}`).join(',\n');
  }

  dropRelation(rel: Relation, kind: RelationKind): string {
    return `drop ${kind === 'view' ? 'view' : 'table'} if exists ${this.renderRelation(rel)}`;
  }

  renameRelation(rel: Relation, kind: RelationKind, newIdentifier: string): string {
    return `alter ${kind === 'view' ? 'view' : 'table'} ${this.renderRelation(rel)} rename to ${this.quoteIdentifier(newIdentifier)}`;
  }

  protected columnList(columns: string[], prefix = ''): string {
    return columns.map((c) => prefix + this.quoteIdentifier(c)).join(', ');
  }

  insertInto(target: Relation, columns: string[], source: Relation): string {
    const cols = this.columnList(columns);
    return `insert into ${this.renderRelation(target)} (${cols})\nselect ${cols} from ${this.renderRelation(source)}`;
  }

  deleteMatching(target: Relation, source: Relation, uniqueKey: string[], predicates: string[] = []): string {
    const t = this.renderRelation(target);
    const s = this.renderRelation(source);
    const cols = this.columnList(uniqueKey);
    if (predicates.length) {
      // the key in a subquery, so the predicates' unqualified columns are the target's (as in dbt)
      return `delete from ${this.deleteTarget(target)}\nwhere (${cols}) in (select ${cols} from ${s})\n  and ${this.predicateList(predicates, target)}`;
    }
    if (this.capabilities.deleteUsing) {
      const on = uniqueKey.map((k) => `${t}.${this.quoteIdentifier(k)} = __tsql_source.${this.quoteIdentifier(k)}`).join('\n  and ');
      // distinct keys: a key many new rows share (a day) would otherwise join every old row once per new row
      return `delete from ${t}\nusing (select distinct ${this.columnList(uniqueKey)} from ${s}) as __tsql_source\nwhere ${on}`;
    }
    return `delete from ${t}\nwhere (${cols}) in (select ${cols} from ${s})`;
  }

  /** The target of a DELETE that predicates refer to as DBT_INTERNAL_DEST (engines without a DELETE alias override). */
  protected deleteTarget(target: Relation): string {
    return `${this.renderRelation(target)} as ${DEST}`;
  }

  /**
   * incremental_predicates joined with `and`, each in parentheses; `target`
   * is the relation DBT_INTERNAL_DEST stands for (used by engines that cannot
   * alias the target of a DELETE or MERGE).
   */
  protected predicateList(predicates: string[], _target?: Relation): string {
    return predicates.map((p) => `(${p})`).join(' and ');
  }

  countOutsidePredicates(staged: Relation, predicates: string[]): string {
    const same = predicates.map((p) => p.replace(/\bDBT_INTERNAL_SOURCE\./gi, `${DEST}.`));
    return `select count(*) as n from ${this.renderRelation(staged)} as ${DEST} where not coalesce(${same.map((p) => `(${p})`).join(' and ')}, false)`;
  }

  deleteWhere(target: Relation, predicate: string): string {
    return `delete from ${this.renderRelation(target)} where ${predicate}`;
  }

  /** The bounds as dbt writes them, string literals the engine reads as the column's type (date, timestamp, timestamptz). */
  eventTimeWindow(column: string, start: Date, end: Date): string {
    return `${column} >= ${this.quoteString(eventTimeText(start))} and ${column} < ${this.quoteString(eventTimeText(end))}`;
  }

  countOutsideEventTimeWindow(rel: Relation, column: string, start: Date, end: Date): string {
    return `select count(*) as n from ${this.renderRelation(rel)} where not coalesce(${this.eventTimeWindow(column, start, end)}, false)`;
  }

  merge(target: Relation, source: Relation, uniqueKey: string[], columns: string[], updateColumns: string[], predicates: string[] = []): string {
    const q = (c: string) => this.quoteIdentifier(c);
    const on = uniqueKey.map((k) => `${DEST}.${q(k)} = ${SOURCE}.${q(k)}`).join(' and ');
    const lines = [
      `merge into ${this.renderRelation(target)} as ${DEST}`,
      `using ${this.renderRelation(source)} as ${SOURCE}`,
      `on ${predicates.length ? `${this.predicateList(predicates, target)} and ` : ''}${on}`,
    ];
    if (updateColumns.length) {
      lines.push(`when matched then update set ${updateColumns.map((c) => `${q(c)} = ${SOURCE}.${q(c)}`).join(', ')}`);
    }
    lines.push(`when not matched then insert (${this.columnList(columns)}) values (${this.columnList(columns, `${SOURCE}.`)})`);
    return lines.join('\n');
  }

  addColumn(rel: Relation, column: Column): string {
    return `alter table ${this.renderRelation(rel)} add column ${this.quoteIdentifier(column.name)} ${column.dataType}`;
  }

  dropColumn(rel: Relation, column: string): string {
    return `alter table ${this.renderRelation(rel)} drop column ${this.quoteIdentifier(column)}`;
  }

  begin(): string {
    return 'begin';
  }

  commit(): string {
    return 'commit';
  }

  rollback(): string {
    return 'rollback';
  }

  abstract describeColumns(rel: Relation): string;
  abstract copyTo(sql: string, location: string, format: 'csv' | 'parquet', options: Record<string, string | number | boolean>): string;
  countWhere(cond: string): string {
    return `coalesce(sum(case when ${cond} then 1 else 0 end), 0)`;
  }

  /** True when the two values differ, a NULL and a value included; false when both are NULL. */
  distinctFrom(a: string, b: string): string {
    return `${a} is distinct from ${b}`;
  }

  freshnessQuery(rel: Relation, loadedAtField: string, filter?: string): string {
    return this.freshnessSelect(this.renderRelation(rel), loadedAtField, filter);
  }

  /** A source's `loaded_at_query` (one row, one timestamp) in place of max(loaded_at_field). */
  freshnessOfQuery(query: string): string {
    return this.freshnessSelect(`(select (\n${query.trim().replace(/;\s*$/, '')}\n) as max_loaded_at) as tsql_loaded_at`, 'max_loaded_at');
  }

  /** The freshness query over `from` (a relation or a derived table); engines override the clock arithmetic. */
  protected freshnessSelect(from: string, loadedAtField: string, filter?: string): string {
    return [
      'select',
      `  max(${loadedAtField}) as max_loaded_at,`,
      '  current_timestamp as snapshotted_at,',
      `  ${this.secondsSince(`max(${loadedAtField})`)} as age_seconds`,
      `from ${from}`,
      ...(filter ? [`where ${filter}`] : []),
    ].join('\n');
  }

  /** Seconds from a timestamp expression to now. */
  protected secondsSince(expr: string): string {
    return `extract(epoch from current_timestamp) - extract(epoch from ${expr})`;
  }

  /** COMMENT ON TABLE|VIEW … IS '…' (PostgreSQL, Redshift, DuckDB, Snowflake). */
  commentOnRelation(rel: Relation, kind: RelationKind, text: string): string {
    return `comment on ${kind === 'view' ? 'view' : 'table'} ${this.renderRelation(rel)} is ${this.quoteString(text)}`;
  }

  commentOnColumn(rel: Relation, _kind: RelationKind, column: string | Column, text: string): string {
    return `comment on column ${this.renderRelation(rel)}.${this.columnName(column)} is ${this.quoteString(text)}`;
  }

  abstract probeFile(file: string, spec: ExternalTableSpec): string;
  abstract createExternalView(rel: Relation, spec: ExternalTableSpec, hasFiles: boolean): string;
  /** The engine's names for the types seed inference produces (`decimal` gets precision and scale). */
  protected readonly seedTypeNames: SeedTypeNames = ANSI_SEED_TYPES;

  seedColumnType(inferred: string, precision?: number, scale?: number): string {
    const names = this.seedTypeNames;
    if (inferred === 'decimal') return `${names.decimal}(${Math.max(precision ?? 18, (scale ?? 0) + 1)}, ${scale ?? 0})`;
    return inferred in names ? names[inferred as keyof typeof names] : names.text;
  }

  // Snapshots: the statements live in snapshot-sql.ts; engines override the clock and the hash.

  snapshotTime(): string {
    return 'current_timestamp';
  }

  snapshotHash(args: string[]): string {
    return md5Arguments(args);
  }

  snapshotBuild(q: SnapshotQuery): string {
    return snapshotBuildSql(this, q);
  }

  snapshotChanges(q: SnapshotQuery): string {
    return snapshotChangesSql(this, q);
  }

  snapshotClose(target: Relation, changes: Relation, q: SnapshotQuery): string {
    return snapshotCloseSql(this, target, changes, q);
  }

  snapshotInsert(target: Relation, changes: Relation, columns: string[]): string {
    return snapshotInsertSql(this, target, changes, columns);
  }

  snapshotKeyCheck(source: Relation, uniqueKey: string[]): string {
    return snapshotKeyCheckSql(this, source, uniqueKey);
  }
}
