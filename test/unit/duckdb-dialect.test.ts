import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBDialect } from '../../src/adapters/duckdb/dialect.js';
import { siblingIdentifier } from '../../src/materializations/context.js';

const d = new DuckDBDialect();
const target = { database: 'warehouse', schema: 'main', identifier: 'orders' };
const staged = { database: 'warehouse', schema: 'main', identifier: 'orders__tsql_incr' };

/** Every statement the DuckDB dialect emits, in one golden file (UPDATE_GOLDEN=1 rewrites it). */
const statements: Record<string, string> = {
  create_schema: d.createSchema('warehouse', 'main_analytics'),
  create_view: d.createView(target, 'select 1 as id'),
  create_table_as: d.createTableAs(target, 'select 1 as id'),
  create_table: d.createTable(target, [
    { name: 'id', dataType: 'integer' },
    { name: 'note "quoted"', dataType: 'varchar' },
  ]),
  drop_table: d.dropRelation(target, 'table'),
  drop_view: d.dropRelation(target, 'view'),
  rename_table: d.renameRelation(staged, 'table', 'orders'),
  insert: d.insertInto(target, ['id', 'amount'], staged),
  delete_matching: d.deleteMatching(target, staged, ['id', 'day']),
  merge: d.merge(target, staged, ['id'], ['id', 'amount', 'status'], ['amount', 'status']),
  microbatch_batch_outside_window: d.countOutsideEventTimeWindow(staged, 'event_date', new Date('2024-01-02T00:00:00Z'), new Date('2024-01-03T00:00:00Z')),
  microbatch_batch: [d.begin(), d.deleteWhere(target, d.eventTimeWindow('event_date', new Date('2024-01-02T00:00:00Z'), new Date('2024-01-03T00:00:00Z'))), d.insertInto(target, ['event_date', 'amount'], staged), d.commit()].join(';\n'),
  add_column: d.addColumn(target, { name: 'doubled', dataType: 'integer' }),
  describe_columns: d.describeColumns(target),
  quote_string: d.quoteString("it's"),
  freshness_of_loaded_at_query: d.freshnessOfQuery('select max(loaded_at) from raw.events;'),
  unload_csv: d.copyTo('select 1 as id', '/lake/stage/x/2024-01-03/.x.csv.tsql_tmp', 'csv', { delimiter: '|' }),
  unload_parquet: d.copyTo('select 1 as id', '/lake/stage/y/2024-01-03/y.parquet', 'parquet', { compression: 'zstd' }),
  external_csv_value_only: d.createExternalView({ database: 'warehouse', schema: 'spectrum', identifier: 'user_purchase_staging' }, {
    location: '/lake/stage/user_purchase/',
    format: 'csv',
    columns: [
      { name: 'invoice_number', dataType: 'varchar(10)' },
      { name: 'quantity', dataType: 'integer' },
    ],
    partitions: [{ name: 'insert_date', dataType: 'date' }],
    partitionLayout: 'value_only',
    options: { delimiter: ',' },
  }, true),
  external_parquet_hive: d.createExternalView({ database: 'warehouse', schema: 'spectrum', identifier: 'reviews' }, {
    location: 's3://bucket/stage/movie_review',
    format: 'parquet',
    columns: [{ name: 'cid', dataType: 'integer' }],
    partitions: [
      { name: 'year', dataType: 'integer' },
      { name: 'insert_date', dataType: 'date' },
    ],
    partitionLayout: 'key_value',
    options: {},
  }, true),
  external_no_files_yet: d.createExternalView({ database: 'warehouse', schema: 'spectrum', identifier: 'empty' }, {
    location: '/lake/none',
    format: 'csv',
    columns: [{ name: 'cid', dataType: 'integer' }],
    partitions: [{ name: 'insert_date', dataType: 'date' }],
    partitionLayout: 'value_only',
    options: {},
  }, false),
};

describe('DuckDB dialect', () => {
  it('emits exactly the golden SQL', () => {
    const file = join(__dirname, '..', 'golden', 'duckdb', 'statements.sql');
    const text = Object.entries(statements).map(([k, v]) => `-- ${k}\n${v};\n`).join('\n');
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
    expect(text).toBe(readFileSync(file, 'utf8'));
  });

  it('maps seed column types', () => {
    expect(d.seedColumnType('decimal', 5, 2)).toBe('decimal(5, 2)');
    expect(d.seedColumnType('decimal', 1, 3)).toBe('decimal(4, 3)');
    expect(d.seedColumnType('bigint')).toBe('bigint');
    expect(d.seedColumnType('varchar')).toBe('varchar');
  });

  it('keeps sibling names within the identifier limit, distinct per model', () => {
    expect(siblingIdentifier('orders', '__tsql_tmp', 63)).toBe('orders__tsql_tmp');
    const a = siblingIdentifier('a'.repeat(60) + 'x', '__tsql_tmp', 63);
    const b = siblingIdentifier('a'.repeat(60) + 'y', '__tsql_tmp', 63);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
  });
});
