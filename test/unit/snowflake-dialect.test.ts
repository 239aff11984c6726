import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnowflakeDialect } from '../../src/adapters/snowflake/dialect.js';
import { insertBatches, MAX_BINDS_PER_STATEMENT } from '../../src/adapters/snowflake/seed-load.js';
import { snowflakeOutputSchema } from '../../src/adapters/snowflake/output.js';
import type { Column, ExternalTableSpec, Relation } from '../../src/adapters/types.js';

const d = new SnowflakeDialect();
const target: Relation = { database: 'analytics', schema: 'main', identifier: 'orders' };
const staged: Relation = { database: 'analytics', schema: 'main', identifier: 'orders__tsql_incr' };
const tmp: Relation = { database: 'analytics', schema: 'main', identifier: 'orders__tsql_tmp' };
const odd: Relation = { database: 'analytics', schema: 'Mixed Case', identifier: 'order "lines"' };
const lakeRel: Relation = { database: 'analytics', schema: 'spectrum', identifier: 'user_purchase_staging' };

const purchaseSpec: ExternalTableSpec = {
  location: '@LAKE_STAGE/lake/stage/user_purchase/',
  format: 'csv',
  columns: [
    { name: 'invoice_number', dataType: 'varchar(10)' },
    { name: 'quantity', dataType: 'integer' },
    { name: 'unit_price', dataType: 'decimal(8, 3)' },
  ],
  partitions: [{ name: 'insert_date', dataType: 'date' }],
  partitionLayout: 'value_only',
  options: {},
};
const reviewSpec: ExternalTableSpec = {
  location: '@"ANALYTICS"."SPECTRUM"."TSQL_LAKE"/stage/movie_review/',
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
const seedColumns: Column[] = [
  { name: 'id', dataType: 'integer' },
  { name: 'name', dataType: 'varchar' },
];
const quotedQuery = "select invoice_number, 'it''s' as note\nfrom \"ANALYTICS\".\"RETAIL\".\"USER_PURCHASE\"\nwhere country = 'United Kingdom' -- only the UK";

/** Every statement the Snowflake adapter emits, in one golden file (UPDATE_GOLDEN=1 rewrites it). */
const statements: Record<string, string> = {
  create_schema: d.createSchema('analytics', 'main'),
  relation_with_odd_names: d.renderRelation(odd),
  relation_quoted_exactly: d.renderRelation({ database: 'raw', schema: 'fivetran_shop', identifier: 'Orders', quoting: { schema: true, identifier: true } }),
  describe_columns_quoted: d.describeColumns({ database: 'raw', schema: 'shop', identifier: 'orders', quoting: { identifier: true } }),
  create_or_replace_table: d.createTableAs(target, 'select 1 as id -- a trailing comment', { replace: true }),
  create_or_replace_permanent_clustered_copy_grants: d.createTableAs(target, 'select 1 as id, current_date as d', {
    replace: true,
    physical: { transient: false, clusterBy: ['d', 'id'], copyGrants: true },
  }),
  resume_recluster: d.afterTableBuilt(target, { clusterBy: ['d'], automaticClustering: true }).join(';\n'),
  create_temporary_table: d.createTableAs(staged, 'select 1 as id', { temporary: true, physical: { clusterBy: ['id'] } }),
  create_staged_table: d.createTableAs(staged, 'select 1 as id'),
  create_or_replace_view: d.createView(target, 'select 1 as id', { replace: true }),
  create_or_replace_secure_view_copy_grants: d.createView(target, 'select 1 as id', { replace: true, secure: true, copyGrants: true }),
  create_seed_table: d.createTable(tmp, seedColumns),
  drop_table: d.dropRelation(tmp, 'table'),
  drop_view: d.dropRelation(tmp, 'view'),
  drop_external_table: d.dropRelation(lakeRel, 'external'),
  rename_table: d.renameRelation(tmp, 'table', 'orders'),
  rename_view: d.renameRelation(tmp, 'view', 'orders'),
  swap_tables: d.swapTables(target, tmp),
  incremental_append: [d.begin(), d.insertInto(target, ['id', 'amount'], staged), d.commit()].join(';\n'),
  incremental_delete_insert: [d.begin(), d.deleteMatching(target, staged, ['id', 'insert_date']), d.insertInto(target, ['id', 'insert_date', 'amount'], staged), d.commit()].join(';\n'),
  microbatch_batch_outside_window: d.countOutsideEventTimeWindow(staged, 'event_date', new Date('2024-01-02T00:00:00Z'), new Date('2024-01-03T00:00:00Z')),
  microbatch_batch: [d.begin(), d.deleteWhere(target, d.eventTimeWindow('event_date', new Date('2024-01-02T00:00:00Z'), new Date('2024-01-03T00:00:00Z'))), d.insertInto(target, ['event_date', 'amount'], staged), d.commit()].join(';\n'),
  incremental_merge: d.merge(target, staged, ['id'], ['id', 'amount', 'status'], ['amount', 'status']),
  add_column: d.addColumn(target, { name: 'doubled', dataType: 'NUMBER(38,0)' }),
  drop_column: d.dropColumn(target, 'doubled'),
  describe_columns: d.describeColumns(target),
  catalog: d.catalogQuery('analytics'),
  catalog_columns: d.columnsQuery('analytics'),
  quote_string: d.quoteString("it's a \\ backslash"),
  count_where: d.countWhere('"ID" is null'),
  freshness: d.freshnessQuery(lakeRel, 'invoice_date', "insert_date >= '2024-01-01'"),
  freshness_of_loaded_at_query: d.freshnessOfQuery('select max(loaded_at) from raw.events;'),
  unload_csv_to_stage: d.copyTo(quotedQuery, '@LAKE_STAGE/lake/stage/user_purchase/2024-01-03/user_purchase.csv', 'csv', {}),
  unload_csv_options: d.copyTo('select 1 as id', '@LAKE_STAGE/x/2024-01-03/x.csv', 'csv', { delimiter: '|', header: false, compression: 'gzip', null_if: '\\N', date_format: 'YYYY-MM-DD' }),
  unload_parquet_to_qualified_stage: d.copyTo(quotedQuery, '@"ANALYTICS"."LAKE"."STAGE"/movie_review/2024-01-03/classified_movie_review.parquet', 'parquet', {}),
  unload_to_quoted_stage_path: d.copyTo('select 1 as id', '@LAKE_STAGE/odd path/x.csv', 'csv', {}),
  unload_parquet_max_file_size: d.copyTo('select 1 as id', '@LAKE_STAGE/movie_review/2024-01-03/r.parquet', 'parquet', { max_file_size: 1000000 }),
  remove_stale_unload_file: d.removeStageFile('@"ANALYTICS"."MAIN"."TSQL_LAKE"/stage/user_purchase/2024-01-03/user_purchase.csv'),
  seed_copy_from_table_stage: d.copyIntoFromStage(tmp, seedColumns, d.tableStage(tmp)),
  external_table_csv: d.createExternalTable(lakeRel, purchaseSpec, purchaseSpec.location, { replace: false }),
  external_table_csv_options_replace: d.createExternalTable(lakeRel, { ...purchaseSpec, partitions: [], options: { delimiter: '|', skip_header: 0 } }, '@LAKE_STAGE/lake/stage/user_purchase', { replace: true }),
  external_table_parquet_key_value: d.createExternalTable(lakeRel, reviewSpec, reviewSpec.location, { replace: false }),
  external_refresh_run_date: d.refreshExternalTable(lakeRel, '2024-01-03/'),
  external_refresh_all: d.refreshExternalTable(lakeRel),
  node_session_query_tag_and_warehouse: JSON.stringify(new SnowflakeDialect({ queryTag: 'nightly', warehouse: 'transforming' }).nodeSession({ query_tag: "model's tag", snowflake_warehouse: 'big_wh' }), null, 1),
  node_session_without_output_tag: JSON.stringify(d.nodeSession({ query_tag: 'm' }), null, 1),
};

describe('Snowflake dialect', () => {
  it('emits exactly the golden SQL', () => {
    const file = join(__dirname, '..', 'golden', 'snowflake', 'statements.sql');
    const text = Object.entries(statements).map(([k, v]) => `-- ${k}\n${v};\n`).join('\n');
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
    expect(text).toBe(readFileSync(file, 'utf8'));
  });

  it('folds simple names to upper case, as Snowflake does with unquoted ones, and keeps others exact', () => {
    expect(d.quoteIdentifier('orders')).toBe('"ORDERS"');
    expect(d.quoteIdentifier('CamelCase_1$')).toBe('"CAMELCASE_1$"');
    expect(d.quoteIdentifier('select')).toBe('"SELECT"');
    expect(d.quoteIdentifier('Order Date')).toBe('"Order Date"');
    expect(d.quoteIdentifier('a"b')).toBe('"a""b"');
    expect(d.quoteIdentifier('1st')).toBe('"1st"');
  });

  it('has no transactional DDL but replaces tables and views in place, and dispatches to default', () => {
    expect(d.type).toBe('snowflake');
    expect(d.parentType).toBeUndefined();
    expect(d.capabilities).toEqual({ transactionalDdl: false, merge: true, deleteUsing: true, maxIdentifierLength: 255, foldTests: true, unload: 'server', replaceInPlace: true, concurrentWrites: true, constraints: { not_null: 'enforced', primary_key: 'informational', unique: 'informational', foreign_key: 'informational' } });
  });

  it('sets a model\'s session settings only where they differ from the output\'s', () => {
    const w = new SnowflakeDialect({ queryTag: 'nightly', warehouse: 'transforming' });
    expect(w.nodeSession({})).toBeUndefined();
    expect(w.nodeSession({ query_tag: 'nightly', snowflake_warehouse: 'TRANSFORMING' })).toBeUndefined();
    expect(() => d.nodeSession({ snowflake_warehouse: 'big' })).toThrow(/needs the output's warehouse/);
  });

  it('maps seed column types to Snowflake names', () => {
    expect(d.seedColumnType('decimal', 5, 2)).toBe('number(5, 2)');
    expect(d.seedColumnType('double')).toBe('float');
    expect(d.seedColumnType('timestamp')).toBe('timestamp_ntz');
    expect(d.seedColumnType('varchar')).toBe('varchar');
    expect(d.seedColumnType('boolean')).toBe('boolean');
  });

  it('refuses unloads it cannot write and options that do not apply', () => {
    expect(() => d.copyTo('select 1', '/home/me/lake/x.csv', 'csv', {})).toThrow(/set lake_root/);
    expect(() => d.copyTo('select 1', 's3://b/x.csv', 'csv', {})).toThrow(/unloads to a stage/);
    expect(() => d.copyTo('select 1', '@S/x.parquet', 'parquet', { delimiter: '|' })).toThrow(/applies to csv/);
    expect(() => d.copyTo('select 1', '@S/x.csv', 'csv', { partition_by: 'x' })).toThrow(/not partition_by/);
    expect(() => d.copyTo('select 1', '@S/x.csv', 'csv', { header: 'yes' })).toThrow(/true or false/);
    expect(() => d.copyTo('select 1', '@S/x.csv', 'csv', { delimiter: '||' })).toThrow(/one character/);
    expect(() => d.createExternalTable(lakeRel, { ...purchaseSpec, options: { header: true } }, '@S/x/', { replace: false })).toThrow(/not header/);
  });

  it('binds seed rows in batches under the driver\'s stage-binding threshold, as text', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => [i, i % 3 ? `n${i}` : null, true]);
    const batches = [...insertBatches(rows, 3)];
    expect(batches.reduce((n, b) => n + b.length, 0)).toBe(20_000);
    for (const b of batches) expect(b.length * 3).toBeLessThanOrEqual(MAX_BINDS_PER_STATEMENT);
    expect(batches[0][0]).toEqual(['0', null, 'true']);
    expect(batches[0][1]).toEqual(['1', 'n1', 'true']);
  });
});

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEY_FILE = join(mkdtempSync(join(tmpdir(), 'tsql-key-')), 'rsa_key.p8');
writeFileSync(KEY_FILE, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
const ENCRYPTED_KEY = keys.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pass' }).toString();

/** A throwaway test key (passphrase `pass`) that `wrong485` decrypts with valid padding into bytes that are not a key. */
const PADDING_PASSES_KEY = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIC3TBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQImnSgxqeab1MCAggA\nMAwGCCqGSIb3DQIJBQAwHQYJYIZIAWUDBAEqBBDaCXSakrF1Dti+uSSZQFhVBIIC\ngAtZF2j+7JViRTM00GfT0HuWOByn3G9DLsdHY4+3qFvROUyZ0CzOi6qYr/qFrJy3\njhzTjB/BJ74sujl/s/jSAnbomN754reXR2P4zkn/7hZiD9/qzIh7ZBAqaJW1ZLOI\nfzzmL7iBba9FtQLpSGmSlqESziBf5YBoOc+0RKtDB80NUqsGPBj5CoF3TtQsnaus\nlq6xeoNsauq9f9Bdx+NFE/G5J/P7Go5BSpuVFYgwMKCSuQmYKnWseyLhX1L0uzZN\naUHk+F+F9EWyZooXwT9gFbre/aoftKb3SuSKgofnd/ywOJ1QGReKu1RvNWUO8eSU\n2As/mFnS5sGaqbQ2S9UCFy1SFkcdrQBejS0xPaWqV/We6Jga5yLefqGmv7hq3DSW\nH6QcEyTw/OqqGj+DYyWacPkH1DHYGxxCHHubNXfLOtCLBmem+KGkjKTBzCRk5npC\nNlZJFrDV3yyILxQQTSVdqYW5Hi3qpo+fOVfsc3Usvv+cUtuqUHr/oOeNoUDCt5qM\nZ2R++ojIGsSRu9Wy3TFxNYLq4lu/AwQXGd4cRWxwRO2mNGZpUVOuTSQKCFZGD20I\n+W9d4R/wMcnDrU+WAY0qJEpQB6x/OD9ZgtU6G2folP3B2EdEoy3bT6XzF0TSdjpM\na7S0O46rSsyxBFNWQ+ZHPF28IR3R7uilqsKBIG50SkrXsRTDOew2jEVYrCuWPoCq\ndhpKVgygl942DhDKK62OvNQoLtfWWcQsr/4WfKdUgCjQl33GVOuDEOa61fZeT9vQ\nXtsseDrtwhJ5W2wLY0g5g2bI7O1yPgxah/DqiR9Y0n+4xgFOFnr3bQM34C3Q2F2g\nSqYcEatdj32VWUQx73irbU4=\n-----END ENCRYPTED PRIVATE KEY-----\n";

describe('Snowflake profile', () => {
  const base = { type: 'snowflake', account: 'xy12345.eu-west-1', user: 'loader', database: 'analytics', schema: 'main' };
  const issues = (o: Record<string, unknown>) => {
    const r = snowflakeOutputSchema.safeParse(o);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('takes dbt-snowflake keys with their defaults', () => {
    const r = snowflakeOutputSchema.parse({ ...base, password: 'x', warehouse: 'transforming', role: 'transformer', query_tag: 'tsql', client_session_keep_alive: true, connect_retries: 3 });
    expect(r).toMatchObject({ threads: 4, connect_retries: 3, connect_timeout: 1, protocol: 'https', client_session_keep_alive: true });
    expect(issues({ ...base, private_key_path: KEY_FILE })).toEqual([]);
    expect(issues({ ...base, private_key: ENCRYPTED_KEY, private_key_passphrase: 'pass' })).toEqual([]);
    expect(issues({ ...base, private_key_path: '/no/such/rsa.p8' })).toEqual(['private_key_path: no such file: /no/such/rsa.p8']);
    expect(issues({ ...base, private_key: ENCRYPTED_KEY })).toEqual(['private_key_passphrase: is required: the private key is encrypted']);
    expect(issues({ ...base, private_key: ENCRYPTED_KEY, private_key_passphrase: 'nope' })).toEqual(['private_key_passphrase: does not decrypt the private key']);
    // a wrong passphrase that passes the cipher's padding check (about one in 256) is still a wrong passphrase
    expect(issues({ ...base, private_key: PADDING_PASSES_KEY, private_key_passphrase: 'wrong485' })).toEqual(['private_key_passphrase: does not decrypt the private key']);
    expect(issues({ ...base, private_key_path: __filename })).toEqual([expect.stringMatching(/^private_key_path: is not a PEM private key/)]);
    expect(issues({ ...base, authenticator: 'externalbrowser' })).toEqual([]);
    expect(issues({ ...base, authenticator: 'OAUTH', token: 't' })).toEqual([]);
    expect(issues({ ...base, password: 'x', lake_root: '@lake_stage/lake' })).toEqual([]);
    expect(issues({ ...base, password: 'x', lake_root: 's3://bucket/lake', storage_integration: 'lake_int' })).toEqual([]);
  });

  it('names what is missing or wrong', () => {
    expect(issues(base)).toEqual([expect.stringMatching(/^password: is required/)]);
    expect(issues({ ...base, authenticator: 'oauth' })).toEqual([expect.stringMatching(/^token: /)]);
    expect(issues({ ...base, authenticator: 'snowflake_jwt' })).toEqual([expect.stringMatching(/^private_key_path: /)]);
    expect(issues({ ...base, password: 'x', lake_root: 's3://b/l' })).toEqual([expect.stringMatching(/^storage_integration: /)]);
    expect(issues({ ...base, password: 'x', lake_root: 'lake' })).toEqual([expect.stringMatching(/^lake_root: must be a stage/)]);
    expect(issues({ ...base, password: 'x', warehose: 'w' })).toHaveLength(1);
    expect(issues({ ...base, password: 'x', port: 443 })).toEqual([expect.stringMatching(/^port: needs host/)]);
  });
});

describe('the deploy profiles', () => {
  const env: Record<string, string> = {
    SNOWFLAKE_ACCOUNT: 'xy12345.eu-west-1',
    SNOWFLAKE_PRIVATE_KEY_PATH: KEY_FILE,
    SNOWFLAKE_USER: 'ann',
    LAKE_ROOT: 's3://lake-bucket/user_behavior',
    SHOP_DB_HOST: 'shop.internal',
    SHOP_DB_USER: 'reader',
    SHOP_DB_PASSWORD: 'x',
    REDSHIFT_CLUSTER: 'analytics',
    REDSHIFT_IAM_ROLE: 'arn:aws:iam::123456789012:role/lake',
    REDSHIFT_HOST: 'analytics.redshift.internal',
    REDSHIFT_USER: 'tsql',
    REDSHIFT_PASSWORD: 'x',
  };
  it.each([
    ['snowflake', ['snowflake', 'snowflake_sso', 'oltp']],
    ['aws', ['redshift', 'redshift_pg', 'oltp']],
  ])('deploy/%s/profiles.yml is valid for every output', async (dir, targets) => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const { resolveTarget } = await import('../../src/project/profiles.js');
      for (const t of targets) {
        const r = resolveTarget({ projectDir: join(__dirname, '..', '..'), profilesDir: join(__dirname, '..', '..', 'deploy', dir), profileName: 'user_behavior', targetName: t, vars: {} });
        expect(r.targetName).toBe(t);
      }
    } finally {
      process.env = saved;
    }
  });
});
