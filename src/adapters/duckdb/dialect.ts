import { AnsiDialect } from '../sql-dialect.js';
import type { Relation } from '../types.js';

export class DuckDBDialect extends AnsiDialect {
  readonly type = 'duckdb';
  readonly capabilities = {
    transactionalDdl: true,
    merge: true,
    deleteUsing: true,
    maxIdentifierLength: 1024,
  };

  describeColumns(rel: Relation): string {
    const where = [
      `table_schema = ${this.quoteString(rel.schema)}`,
      `table_name = ${this.quoteString(rel.identifier)}`,
      ...(rel.database ? [`table_catalog = ${this.quoteString(rel.database)}`] : []),
    ];
    return `select column_name as name, data_type as type from information_schema.columns where ${where.join(' and ')} order by ordinal_position`;
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
        return 'double';
      case 'decimal':
        return `decimal(${Math.max(precision ?? 18, (scale ?? 0) + 1)}, ${scale ?? 0})`;
      case 'date':
        return 'date';
      case 'timestamp':
        return 'timestamp';
      default:
        return 'varchar';
    }
  }
}
