import { AnsiDialect } from '../sql-dialect.js';
import type { DialectCapabilities, ExternalTableSpec, Relation, RelationKind } from '../types.js';

/**
 * PostgreSQL's SQL. Redshift's dialect extends this one (and dispatch looks up
 * redshift__x, then postgres__x, then default__x).
 */
export class PostgresDialect extends AnsiDialect {
  readonly type: string = 'postgres';
  readonly capabilities: DialectCapabilities = {
    transactionalDdl: true,
    merge: true, // PostgreSQL 15+
    deleteUsing: true,
    maxIdentifierLength: 63,
    foldTests: true,
    unload: 'client',
  };

  /** Postgres renames views with ALTER TABLE too; one form for both kinds. */
  override renameRelation(rel: Relation, _kind: RelationKind, newIdentifier: string): string {
    return `alter table ${this.renderRelation(rel)} rename to ${this.quoteIdentifier(newIdentifier)}`;
  }

  /** Postgres cannot qualify a temporary table's name with a schema. */
  override createTableAs(rel: Relation, sql: string, opts: { temporary?: boolean } = {}): string {
    const name = opts.temporary ? this.quoteIdentifier(rel.identifier) : this.renderRelation(rel);
    return `create ${opts.temporary ? 'temporary ' : ''}table ${name} as (\n${sql}\n)`;
  }

  describeColumns(rel: Relation): string {
    const where = [`table_schema = ${this.quoteString(rel.schema)}`, `table_name = ${this.quoteString(rel.identifier)}`];
    return `select column_name as name, data_type as type from information_schema.columns where ${where.join(' and ')} order by ordinal_position`;
  }

  copyTo(): string {
    throw new Error(`${this.type} writes unloads on the client (COPY … TO STDOUT), not with a statement`);
  }

  probeFile(): string {
    throw new Error(`${this.type} cannot read lake files; external sources need a warehouse that can (duckdb, redshift)`);
  }

  createExternalView(_rel: Relation, _spec: ExternalTableSpec): string {
    throw new Error(`${this.type} cannot read lake files; external sources need a warehouse that can (duckdb, redshift)`);
  }

  seedColumnType(inferred: string, precision?: number, scale?: number): string {
    switch (inferred) {
      case 'boolean':
        return 'boolean';
      case 'integer':
        return 'integer';
      case 'bigint':
        return 'bigint';
      case 'double':
        return 'double precision';
      case 'decimal':
        return `numeric(${Math.max(precision ?? 18, (scale ?? 0) + 1)}, ${scale ?? 0})`;
      case 'date':
        return 'date';
      case 'timestamp':
        return 'timestamp';
      default:
        return 'text';
    }
  }
}
