import { describe, expect, it } from 'vitest';
import { adapterFactory, PLANNED_ADAPTERS } from '../../src/adapters/registry.js';
import { RedshiftAdapter } from '../../src/adapters/redshift/index.js';
import type { RedshiftOutput } from '../../src/adapters/redshift/output.js';
import type { Connection, ExecResult, ExternalStageRequest } from '../../src/adapters/types.js';

/** A connection that records statements and answers queries from a list. */
class RecordingConnection implements Connection {
  executed: string[] = [];
  constructor(private readonly answers: Record<string, unknown>[][] = []) {}
  async execute(sql: string): Promise<ExecResult> {
    this.executed.push(sql);
    return {};
  }
  async query(sql: string): Promise<Record<string, unknown>[]> {
    this.executed.push(sql);
    return this.answers.shift() ?? [];
  }
  async loadRows(): Promise<number> {
    return 0;
  }
}

const output = adapterFactory('redshift')!.outputSchema.parse({
  type: 'redshift',
  host: 'example.redshift.amazonaws.com',
  user: 'tsql',
  password: 'secret',
  database: 'dev',
  iam_role: 'arn:aws:iam::123456789012:role/tsql-lake',
}) as RedshiftOutput;

const request: ExternalStageRequest = {
  relation: { database: 'dev', schema: 'spectrum', identifier: 'user_purchase_staging' },
  spec: {
    location: 's3://lake-bucket/stage/user_purchase/',
    format: 'csv',
    columns: [{ name: 'invoice_number', dataType: 'varchar(10)' }],
    partitions: [{ name: 'insert_date', dataType: 'date' }],
    partitionLayout: 'value_only',
    options: {},
  },
  partitionValues: [['2024-01-02'], ['2024-01-03']],
  external: { location: 'stage/user_purchase/', file_format: 'csv' },
};

describe('redshift adapter', () => {
  it('is registered, not planned', () => {
    expect(adapterFactory('redshift')?.type).toBe('redshift');
    expect(PLANNED_ADAPTERS).not.toContain('redshift');
    expect(adapterFactory('redshift')!.defaults(output)).toEqual({ database: 'dev', schema: 'public', threads: 4 });
  });

  it('describes the target without credentials', () => {
    const a = new RedshiftAdapter(output, 4);
    expect(a.describe()).toBe('redshift tsql@example.redshift.amazonaws.com:5439/dev');
    expect(a.describe()).not.toContain('secret');
    const api = adapterFactory('redshift')!.outputSchema.parse({ type: 'redshift', method: 'data_api', workgroup_name: 'wg', database: 'dev', secret_arn: 'arn:aws:secretsmanager:x', region: 'eu-west-1' }) as RedshiftOutput;
    expect(new RedshiftAdapter(api, 4).describe()).toBe('redshift (data api) workgroup wg/dev in eu-west-1');
  });

  it('creates a missing external table and registers the partitions', async () => {
    const conn = new RecordingConnection([[]]);
    const r = await new RedshiftAdapter(output, 1).stageExternal(conn, request);
    expect(r.message).toBe('STAGE EXTERNAL (created, 2 partitions)');
    expect(r.statements).toEqual(conn.executed);
    expect(conn.executed.map((s) => s.split('\n')[0])).toEqual([
      'create external schema if not exists "spectrum"',
      'select schemaname, tablename, location from svv_external_tables',
      'create external table "spectrum"."user_purchase_staging" (',
      'alter table "spectrum"."user_purchase_staging" add if not exists',
    ]);
    expect(conn.executed[0]).toContain("from data catalog database 'spectrum'");
    expect(conn.executed[0]).toContain("iam_role 'arn:aws:iam::123456789012:role/tsql-lake'");
  });

  it('keeps an external table at the same location, recreates one that moved', async () => {
    const same = new RecordingConnection([[{ schemaname: 'spectrum', tablename: 'user_purchase_staging', location: 's3://lake-bucket/stage/user_purchase' }]]);
    const r1 = await new RedshiftAdapter(output, 1).stageExternal(same, { ...request, partitionValues: [] });
    expect(r1.message).toBe('STAGE EXTERNAL (exists, 0 partitions)');
    expect(same.executed).toHaveLength(2);

    const moved = new RecordingConnection([[{ schemaname: 'spectrum', tablename: 'user_purchase_staging', location: 's3://old-bucket/user_purchase/' }]]);
    const r2 = await new RedshiftAdapter(output, 1).stageExternal(moved, request);
    expect(r2.message).toMatch(/^STAGE EXTERNAL \(recreated/);
    expect(moved.executed[2]).toBe('drop table if exists "spectrum"."user_purchase_staging"');
  });

  it('takes the catalog database, role and format from the source’s external block', async () => {
    const conn = new RecordingConnection([[]]);
    await new RedshiftAdapter(output, 1).stageExternal(conn, {
      ...request,
      external: { ...request.external, glue_database: 'lake_db', iam_role: 'arn:aws:iam::1:role/r', row_format: "delimited fields terminated by '|'", table_properties: "('numRows'='100')" },
    });
    expect(conn.executed[0]).toContain("database 'lake_db'");
    expect(conn.executed[0]).toContain("iam_role 'arn:aws:iam::1:role/r'");
    expect(conn.executed[2]).toContain("row format delimited fields terminated by '|'");
    expect(conn.executed[2]).toContain("table properties ('skip.header.line.count'='1', 'numRows'='100')");
  });

  it('refuses a lake that is not on S3', async () => {
    const local = { ...request, spec: { ...request.spec, location: '/lake/stage/user_purchase/' } };
    await expect(new RedshiftAdapter(output, 1).stageExternal(new RecordingConnection(), local)).rejects.toThrow(/Spectrum reads S3/);
  });

  it('copies a seed from S3 with the output’s role', async () => {
    const conn = new RecordingConnection();
    const r = await new RedshiftAdapter(output, 1).loadSeedFromLocation(conn, { database: 'dev', schema: 'retail', identifier: 'user_purchase__tsql_tmp' }, [{ name: 'id', dataType: 'integer' }], 's3://b/seeds/user_purchase.csv');
    expect(r.statements[0]).toBe(
      'copy "retail"."user_purchase__tsql_tmp" ("id")\nfrom \'s3://b/seeds/user_purchase.csv\'\niam_role \'arn:aws:iam::123456789012:role/tsql-lake\'\nformat as csv ignoreheader 1',
    );
  });
});
