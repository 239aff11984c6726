import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RedshiftDialect } from '../../src/adapters/redshift/dialect.js';
import { DATA_API_LIMITS, insertBatches, PG_LIMITS } from '../../src/adapters/redshift/seed-insert.js';
import { addPartitions, createExternalSchema, createExternalTable, dropExternalTable, externalTableQuery } from '../../src/adapters/redshift/spectrum.js';
import { unloadPrefix } from '../../src/adapters/redshift/unload.js';
import type { Column, ExternalTableSpec, Relation } from '../../src/adapters/types.js';

const d = new RedshiftDialect({ database: 'dev', iamRole: 'arn:aws:iam::123456789012:role/tsql-lake' });
const target: Relation = { database: 'dev', schema: 'analytics', identifier: 'orders' };
const staged: Relation = { database: 'dev', schema: 'analytics', identifier: 'orders__tsql_incr' };
const tmp: Relation = { database: 'dev', schema: 'analytics', identifier: 'orders__tsql_tmp' };
const backup: Relation = { database: 'dev', schema: 'analytics', identifier: 'orders__tsql_backup' };
const otherDb: Relation = { database: 'shop', schema: 'retail', identifier: 'user_purchase' };
const spectrumRel: Relation = { database: 'dev', schema: 'spectrum', identifier: 'user_purchase_staging' };
const reviewsRel: Relation = { database: 'dev', schema: 'spectrum', identifier: 'classified_movie_review_staging' };

const purchaseSpec: ExternalTableSpec = {
  location: 's3://lake-bucket/stage/user_purchase',
  format: 'csv',
  columns: [
    { name: 'invoice_number', dataType: 'varchar(10)' },
    { name: 'detail', dataType: 'varchar(1000)' },
    { name: 'quantity', dataType: 'integer' },
    { name: 'invoice_date', dataType: 'timestamp' },
    { name: 'unit_price', dataType: 'decimal(8, 3)' },
  ],
  partitions: [{ name: 'insert_date', dataType: 'date' }],
  partitionLayout: 'value_only',
  options: {},
};
const reviewSpec: ExternalTableSpec = {
  location: 's3://lake-bucket/stage/movie_review/',
  format: 'parquet',
  columns: [
    { name: 'cid', dataType: 'integer' },
    { name: 'positive_review', dataType: 'boolean' },
  ],
  partitions: [
    { name: 'year', dataType: 'integer' },
    { name: 'insert_date', dataType: 'date' },
  ],
  partitionLayout: 'key_value',
  options: {},
};

/** 250 run dates from 2024-01-01: three ADD PARTITION statements (100, 100, 50). */
const days = Array.from({ length: 250 }, (_, i) => [new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10)]);

/** A query with quotes, a backslash and a trailing comment, as a model may have. */
const quotedQuery = "select invoice_number, 'it''s' as note, replace(detail, '\\', '/') as detail\nfrom \"analytics\".\"user_purchase\"\nwhere country = 'United Kingdom' -- only the UK";

const seedColumns: Column[] = [
  { name: 'id', dataType: 'integer' },
  { name: 'name', dataType: 'varchar(65535)' },
  { name: 'born', dataType: 'date' },
];
const seedRows: unknown[][] = [
  [1, "O'Brien", '1990-01-02'],
  [2, '', null],
  [3, null, '2001-12-31'],
  [4, 'a "quoted" name', '1970-01-01'],
];

function batchText(batches: ReturnType<typeof insertBatches>): string {
  return batches.map((b) => `${b.sql}\n-- params: ${JSON.stringify(b.params)}`).join(';\n');
}

/** Every statement the Redshift adapter emits, in one golden file (UPDATE_GOLDEN=1 rewrites it). */
const statements: Record<string, string> = {
  create_schema: d.createSchema('dev', 'analytics'),
  create_table_as: d.createTableAs(tmp, 'select 1 as id -- a trailing comment'),
  create_table_as_dist_key_compound_sort_backup_no: d.createTableAs(tmp, 'select 1 as customer_id, current_date as insert_date', {
    physical: { dist: 'customer_id', sort: ['insert_date', 'customer_id'], backup: false },
  }),
  create_table_as_dist_all_interleaved_sort: d.createTableAs(tmp, 'select 1 as a, 2 as b', { physical: { dist: 'ALL', sort: ['a', 'b'], sortType: 'interleaved' } }),
  create_table_as_dist_even: d.createTableAs(tmp, 'select 1 as a', { physical: { dist: 'even', backup: true } }),
  create_table_as_dist_auto_sort_one: d.createTableAs(tmp, 'select 1 as a', { physical: { dist: 'auto', sort: ['a'], sortType: 'compound' } }),
  create_temporary_table_ignores_layout: d.createTableAs(tmp, 'select 1 as a', { temporary: true, physical: { dist: 'a', sort: ['a'], backup: false } }),
  create_view: d.createView(tmp, 'select 1 as id -- a trailing comment'),
  create_view_late_binding: d.createView(tmp, 'select * from "spectrum"."user_purchase_staging"', { lateBinding: true }),
  create_table: d.createTable(tmp, [
    { name: 'id', dataType: 'integer' },
    { name: 'note "quoted"', dataType: 'varchar(65535)' },
  ]),
  read_other_database: `select * from ${d.renderRelation(otherDb)}`,
  drop_table: d.dropRelation(backup, 'table'),
  drop_view: d.dropRelation(backup, 'view'),
  drop_external_table: d.dropRelation(spectrumRel, 'external'),
  rename_view: d.renameRelation(target, 'view', backup.identifier),
  swap_table: [
    d.begin(),
    d.dropRelation(backup, 'table'),
    d.renameRelation(target, 'table', backup.identifier),
    d.renameRelation(tmp, 'table', target.identifier),
    d.dropRelation(backup, 'table'),
    d.commit(),
  ].join(';\n'),
  incremental_append: [d.begin(), d.insertInto(target, ['id', 'amount'], staged), d.commit()].join(';\n'),
  incremental_delete_insert: [d.begin(), d.deleteMatching(target, staged, ['id', 'insert_date']), d.insertInto(target, ['id', 'insert_date', 'amount'], staged), d.commit()].join(';\n'),
  incremental_merge: [d.begin(), d.merge(target, staged, ['id'], ['id', 'amount', 'status'], ['amount', 'status']), d.commit()].join(';\n'),
  microbatch_batch_outside_window: d.countOutsideEventTimeWindow(staged, 'event_date', new Date('2024-01-02T00:00:00Z'), new Date('2024-01-03T00:00:00Z')),
  microbatch_batch: [d.begin(), d.deleteWhere(target, d.eventTimeWindow('event_date', new Date('2024-01-02T00:00:00Z'), new Date('2024-01-03T00:00:00Z'))), d.insertInto(target, ['event_date', 'amount'], staged), d.commit()].join(';\n'),
  merge_nothing_to_update: d.merge(target, staged, ['id'], ['id'], []),
  add_column: d.addColumn(target, { name: 'doubled', dataType: 'integer' }),
  drop_column: d.dropColumn(target, 'doubled'),
  describe_columns: d.describeColumns(target),
  describe_unbound_columns: d.describeUnboundColumns(spectrumRel),
  catalog: d.catalogQuery(),
  catalog_columns: d.columnsQuery(),
  quote_string: d.quoteString("it's a \\ backslash"),
  count_where: d.countWhere('"id" is null'),
  freshness: d.freshnessQuery(spectrumRel, 'invoice_date', "insert_date >= '2024-01-01'"),
  freshness_of_loaded_at_query: d.freshnessOfQuery('select max(loaded_at) from raw.events;'),
  unload_csv: d.copyTo(quotedQuery, 's3://lake-bucket/stage/user_purchase/2024-01-03/user_purchase.csv', 'csv', {}),
  unload_csv_options: d.copyTo('select 1 as id', 's3://lake-bucket/stage/x/2024-01-03/x.csv', 'csv', {
    iam_role: 'arn:aws:iam::123456789012:role/other',
    region: 'eu-west-1',
    delimiter: '|',
    header: false,
    maxfilesize: '1 gb',
    cleanpath: true,
    gzip: true,
  }),
  unload_parquet: d.copyTo(quotedQuery, 's3://lake-bucket/stage/movie_review/2024-01-03/classified_movie_review.parquet', 'parquet', { maxfilesize: 256 }),
  unload_to_folder_default_role: new RedshiftDialect({ database: 'dev' }).copyTo('select 1 as id', 's3://lake-bucket/stage/y/', 'parquet', { parallel: true }),
  seed_copy_from_s3: d.copyFromS3(tmp, seedColumns, 's3://lake-bucket/seeds/user_purchase.csv', { region: 'us-east-1' }),
  external_schema: createExternalSchema(d, 'spectrum', { catalogDatabase: 'spectrumdb', iamRole: 'arn:aws:iam::123456789012:role/tsql-lake' }),
  external_schema_region_default_role: createExternalSchema(d, 'spectrum', { catalogDatabase: 'lake', iamRole: 'default', region: 'us-west-2' }),
  external_table_query: externalTableQuery(d, spectrumRel),
  external_table_csv_partitioned: createExternalTable(d, spectrumRel, purchaseSpec),
  external_table_csv_pipe_no_header: createExternalTable(d, spectrumRel, { ...purchaseSpec, partitions: [], options: { delimiter: '|', header: false } }, { tableProperties: { numRows: '1000' } }),
  external_table_csv_row_format: createExternalTable(d, spectrumRel, purchaseSpec, { rowFormat: "delimited fields terminated by ','" }),
  external_table_parquet_hive: createExternalTable(d, reviewsRel, reviewSpec),
  drop_external: dropExternalTable(d, spectrumRel),
  add_partitions_250_days: addPartitions(d, spectrumRel, purchaseSpec, days).join(';\n'),
  add_partitions_key_value: addPartitions(d, reviewsRel, reviewSpec, [
    ['2024', '2024-01-03'],
    ['2024', '2024-01-04'],
  ]).join(';\n'),
  seed_insert_data_api: batchText(insertBatches(d, tmp, seedColumns, seedRows, 'named', DATA_API_LIMITS)),
  seed_insert_data_api_small_statements: batchText(insertBatches(d, tmp, seedColumns, seedRows, 'named', { ...DATA_API_LIMITS, maxBytes: 140 })),
  seed_insert_pg: batchText(insertBatches(d, tmp, seedColumns, seedRows, 'positional', PG_LIMITS)),
  seed_insert_pg_param_limit: batchText(insertBatches(d, tmp, seedColumns, seedRows, 'positional', { ...PG_LIMITS, maxParams: 7 })),
};

describe('Redshift dialect', () => {
  it('emits exactly the golden SQL', () => {
    const file = join(__dirname, '..', 'golden', 'redshift', 'statements.sql');
    const text = Object.entries(statements).map(([k, v]) => `-- ${k}\n${v};\n`).join('\n');
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
    expect(text).toBe(readFileSync(file, 'utf8'));
  });

  it('is Redshift, dispatching to postgres', () => {
    expect(d.type).toBe('redshift');
    expect(d.parentType).toBe('postgres');
    expect(d.capabilities).toEqual({ transactionalDdl: true, merge: true, deleteUsing: true, maxIdentifierLength: 127, foldTests: true, unload: 'server', constraints: { not_null: 'enforced', primary_key: 'informational', unique: 'informational', foreign_key: 'informational' } });
  });

  it('registers partitions in statements of at most 100', () => {
    const batches = addPartitions(d, spectrumRel, purchaseSpec, days);
    expect(batches).toHaveLength(3);
    expect(batches.map((b) => b.split('\n').length - 1)).toEqual([100, 100, 50]);
    expect(addPartitions(d, spectrumRel, purchaseSpec, [])).toEqual([]);
    expect(() => addPartitions(d, reviewsRel, reviewSpec, [['2024-01-03']])).toThrow(/needs 2 value/);
  });

  it('maps seed column types (text is varchar(256) on Redshift, so the longest varchar)', () => {
    expect(d.seedColumnType('varchar')).toBe('varchar(65535)');
    expect(d.seedColumnType('decimal', 5, 2)).toBe('numeric(5, 2)');
    expect(d.seedColumnType('double')).toBe('double precision');
    expect(d.seedColumnType('bigint')).toBe('bigint');
    expect(d.seedColumnType('timestamp')).toBe('timestamp');
  });

  it('refuses a layout Redshift would refuse', () => {
    expect(() => d.createTableAs(tmp, 'select 1', { physical: { sort: ['a'], sortType: 'spiral' } })).toThrow(/compound or interleaved/);
    expect(() => d.createTableAs(tmp, 'select 1', { physical: { dist: ' ' } })).toThrow(/dist must be/);
    const nine = Array.from({ length: 9 }, (_, i) => `c${i}`);
    expect(() => d.createTableAs(tmp, 'select 1', { physical: { sort: nine, sortType: 'interleaved' } })).toThrow(/at most 8/);
  });

  it('maps an unload location to a key prefix whose files Spectrum reads', () => {
    expect(unloadPrefix('s3://b/stage/user_purchase/2024-01-03/user_purchase.csv')).toEqual({ prefix: 's3://b/stage/user_purchase/2024-01-03/user_purchase_', extension: 'csv' });
    expect(unloadPrefix('s3://b/stage/x/2024-01-03/')).toEqual({ prefix: 's3://b/stage/x/2024-01-03/', extension: undefined });
    expect(unloadPrefix('s3://b/stage/x/data')).toEqual({ prefix: 's3://b/stage/x/data_', extension: undefined });
    expect(() => unloadPrefix('s3://b/stage/x/_hidden.csv')).toThrow(/Spectrum ignores/);
    expect(() => unloadPrefix('/lake/stage/x.csv')).toThrow(/S3 only/);
  });

  it('refuses unload options that do not apply', () => {
    const loc = 's3://b/stage/x/x.parquet';
    expect(() => d.copyTo('select 1', loc, 'parquet', { header: true })).toThrow(/PARQUET does not take header/);
    expect(() => d.copyTo('select 1', loc, 'csv', { manifest: true })).toThrow(/manifest/);
    expect(() => d.copyTo('select 1', loc, 'csv', { compression: 'zstd' })).toThrow(/unknown unload option compression/);
    expect(() => d.copyTo('select 1', loc, 'csv', { cleanpath: true, allowoverwrite: true })).toThrow(/exclude each other/);
    expect(() => d.copyTo('select 1', loc, 'csv', { maxfilesize: 'big' })).toThrow(/a size like/);
    expect(() => d.copyTo('select 1', loc, 'csv', { maxfilesize: 1 })).toThrow(/between 5 MB and 6.2 GB/);
    expect(() => d.copyTo('select 1', loc, 'csv', { maxfilesize: '7 gb' })).toThrow(/between 5 MB/);
    // header: false is harmless on parquet
    expect(d.copyTo('select 1', loc, 'parquet', { header: false })).toContain('format parquet');
  });

  it('keeps every Data API insert under the 100 kB statement limit, values included', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => [i, 'x'.repeat(200 + (i % 50)), i % 7 ? '2024-01-01' : null]);
    const batches = insertBatches(d, tmp, seedColumns, rows, 'named', DATA_API_LIMITS);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.reduce((n, b) => n + b.rows, 0)).toBe(3000);
    for (const b of batches) {
      const params = b.params as Array<{ name: string; value: string }>;
      const bytes = Buffer.byteLength(b.sql) + params.reduce((n, p) => n + Buffer.byteLength(p.value), 0);
      expect(bytes).toBeLessThanOrEqual(DATA_API_LIMITS.maxBytes);
      expect(params.every((p) => p.value.length > 0)).toBe(true);
      // every placeholder in the text has its parameter, in order
      expect([...b.sql.matchAll(/:p(\d+)/g)].map((m) => `p${m[1]}`)).toEqual(params.map((p) => p.name));
    }
  });

  it('keeps pg inserts under 32767 parameters', () => {
    const rows = Array.from({ length: 20000 }, (_, i) => [i, 'n', '2024-01-01']);
    const batches = insertBatches(d, tmp, seedColumns, rows, 'positional', PG_LIMITS);
    expect(batches.reduce((n, b) => n + b.rows, 0)).toBe(20000);
    for (const b of batches) expect(b.params.length).toBeLessThanOrEqual(32767);
  });
});
