import type { ExecuteStatementCommandInput, Field } from '@aws-sdk/client-redshift-data';
import { describe, expect, it } from 'vitest';
import { DataApiPool, DataApiSession, InFlight, StatementCancelledError, type DataApiCalls, type DataApiSettings } from '../../src/adapters/redshift/data-api.js';
import { fieldValue, recordToRow } from '../../src/adapters/redshift/data-api-values.js';
import { RedshiftDialect } from '../../src/adapters/redshift/dialect.js';
import { redshiftOutputSchema } from '../../src/adapters/redshift/output.js';
import { WarehouseError } from '../../src/errors.js';

describe('Data API field values', () => {
  it('converts typed fields', () => {
    expect(fieldValue({ isNull: true })).toBeNull();
    expect(fieldValue({ booleanValue: false })).toBe(false);
    expect(fieldValue({ longValue: 42 }, { typeName: 'int8' })).toBe(42);
    expect(fieldValue({ doubleValue: 1.5 }, { typeName: 'float8' })).toBe(1.5);
    expect(fieldValue({ blobValue: new Uint8Array([1, 2]) })).toEqual(Buffer.from([1, 2]));
  });

  it('converts text by the column type', () => {
    expect(fieldValue({ stringValue: '12.500' }, { typeName: 'numeric' })).toBe('12.500');
    expect(fieldValue({ stringValue: '2024-01-03' }, { typeName: 'date' })).toBe('2024-01-03');
    expect(fieldValue({ stringValue: '2024-01-03 10:00:00' }, { typeName: 'timestamp' })).toBe('2024-01-03 10:00:00');
    expect(fieldValue({ stringValue: '7' }, { typeName: 'int4' })).toBe(7);
    expect(fieldValue({ stringValue: '9223372036854775807' }, { typeName: 'int8' })).toBe('9223372036854775807');
    expect(fieldValue({ stringValue: 't' }, { typeName: 'bool' })).toBe(true);
    expect(fieldValue({ stringValue: 'false' }, { typeName: 'boolean' })).toBe(false);
    expect(fieldValue({ stringValue: '0.25' }, { typeName: 'float4' })).toBe(0.25);
    expect(fieldValue({ stringValue: 'abc' }, { typeName: 'varchar' })).toBe('abc');
    expect(fieldValue({ stringValue: '' }, { typeName: 'varchar' })).toBe('');
  });

  it('names row values by column label', () => {
    const record: Field[] = [{ longValue: 3 }, { isNull: true }, { stringValue: 'x' }];
    expect(recordToRow(record, [{ name: 'n', label: 'n', typeName: 'int8' }, { name: 'age_seconds', typeName: 'int8' }, { name: 'name', typeName: 'varchar' }])).toEqual({ n: 3, age_seconds: null, name: 'x' });
  });
});

describe('redshift output', () => {
  const parse = (o: Record<string, unknown>) => redshiftOutputSchema.safeParse({ type: 'redshift', ...o });
  const firstIssue = (o: Record<string, unknown>) => {
    const r = parse(o);
    return r.success ? undefined : r.error.issues[0];
  };

  it('defaults to method pg on port 5439', () => {
    const r = parse({ host: 'example.redshift.amazonaws.com', user: 'tsql', password: 'x', database: 'dev' });
    expect(r.success && r.data).toMatchObject({ method: 'pg', port: 5439, schema: 'public', threads: 4, sslmode: 'prefer' });
  });

  it('takes dbt’s dbname', () => {
    expect(parse({ host: 'h', user: 'u', dbname: 'dev' }).success).toBe(true);
    expect(firstIssue({ host: 'h', user: 'u' })?.message).toMatch(/required/);
    expect(firstIssue({ host: 'h', user: 'u', dbname: 'a', database: 'b' })?.path).toEqual(['dbname']);
  });

  it('takes a cluster or a workgroup for the Data API, exactly one', () => {
    expect(parse({ method: 'data_api', cluster_identifier: 'c1', database: 'dev', db_user: 'tsql', region: 'us-east-1' }).success).toBe(true);
    expect(parse({ method: 'data_api', workgroup_name: 'wg', database: 'dev', secret_arn: 'arn:aws:secretsmanager:us-east-1:1:secret:x' }).success).toBe(true);
    expect(firstIssue({ method: 'data_api', database: 'dev' })?.message).toMatch(/exactly one of cluster_identifier/);
    expect(firstIssue({ method: 'data_api', cluster_identifier: 'c', workgroup_name: 'w', database: 'dev' })?.message).toMatch(/exactly one/);
  });

  it('refuses credentials that do not go together', () => {
    expect(firstIssue({ method: 'data_api', cluster_identifier: 'c', database: 'dev', db_user: 'u', secret_arn: 's' })?.message).toMatch(/not both/);
    expect(firstIssue({ method: 'data_api', workgroup_name: 'w', database: 'dev', db_user: 'u' })?.message).toMatch(/no db_user/);
  });

  it('refuses keys of the other method and unknown methods', () => {
    expect(firstIssue({ method: 'data_api', cluster_identifier: 'c', database: 'dev', host: 'h' })?.code).toBe('unrecognized_keys');
    expect(firstIssue({ host: 'h', user: 'u', database: 'dev', workgroup_name: 'w' })?.code).toBe('unrecognized_keys');
    expect(firstIssue({ method: 'jdbc', host: 'h' })?.path).toEqual(['method']);
    expect(firstIssue({ method: 'data_api', cluster_identifier: 'c', database: 'dev', endpoint: 'not a url' })?.path).toEqual(['endpoint']);
  });

  it('defaults the Data API settings', () => {
    const r = parse({ method: 'data_api', cluster_identifier: 'c', database: 'dev' });
    expect(r.success && r.data).toMatchObject({ poll_initial_ms: 50, poll_max_ms: 2000, session_keep_alive_seconds: 300, max_attempts: 5 });
  });
});

/** A scripted Data API: statements finish after `polls` DescribeStatement calls. */
class FakeApi implements DataApiCalls {
  executed: ExecuteStatementCommandInput[] = [];
  described = 0;
  cancelled: string[] = [];
  /** per statement: status after polling, error text, result pages */
  script: Array<{ status?: 'FINISHED' | 'FAILED' | 'ABORTED'; error?: string; rows?: number; pages?: Array<{ records: Field[][]; next?: string }>; refuse?: string }> = [];
  private statements = new Map<string, { polls: number; status: string; error?: string; rows?: number; pages?: Array<{ records: Field[][]; next?: string }> }>();
  private n = 0;
  batches: Array<{ Sqls?: string[] }> = [];

  async executeStatement(input: ExecuteStatementCommandInput) {
    this.executed.push(input);
    const step = this.script.shift() ?? {};
    if (step.refuse) throw Object.assign(new Error(step.refuse === 'ValidationException' ? 'Session is not available' : 'too many'), { name: step.refuse });
    const id = `00000000-0000-0000-0000-00000000000${++this.n}`;
    this.statements.set(id, { polls: 2, status: step.status ?? 'FINISHED', error: step.error, rows: step.rows, pages: step.pages });
    return { Id: id, SessionId: input.SessionId ?? 'aaaaaaaa-0000-0000-0000-000000000000', $metadata: {} };
  }

  async batchExecuteStatement(input: { Sqls?: string[]; SessionId?: string }) {
    this.batches.push(input);
    const id = `bbbbbbbb-0000-0000-0000-00000000000${++this.n}`;
    this.statements.set(id, { polls: 1, status: 'FINISHED', rows: 1 });
    return { Id: id, SessionId: input.SessionId ?? 'aaaaaaaa-0000-0000-0000-000000000000', $metadata: {} };
  }

  async describeStatement(id: string) {
    this.described++;
    const s = this.statements.get(id)!;
    if (this.cancelled.includes(id)) return { Id: id, Status: 'ABORTED' as const, $metadata: {} };
    if (--s.polls > 0) return { Id: id, Status: 'STARTED' as const, $metadata: {} };
    return {
      Id: id,
      Status: s.status as 'FINISHED',
      Error: s.error,
      ResultRows: s.rows ?? -1,
      HasResultSet: !!s.pages,
      SubStatements: s.status === 'FINISHED' && !s.pages ? [{ Id: `${id}:1`, ResultRows: 1 }, { Id: `${id}:2`, ResultRows: 2 }] : undefined,
      $metadata: {},
    };
  }

  async getStatementResult(id: string, nextToken?: string) {
    const pages = this.statements.get(id)!.pages!;
    const i = nextToken ? Number(nextToken) : 0;
    const page = pages[i];
    return {
      Records: page.records,
      ColumnMetadata: i === 0 ? [{ name: 'id', label: 'id', typeName: 'int4' }, { name: 'name', label: 'name', typeName: 'varchar' }] : undefined,
      NextToken: i + 1 < pages.length ? String(i + 1) : undefined,
      $metadata: {},
    };
  }

  async cancelStatement(id: string) {
    this.cancelled.push(id);
    return { Status: true, $metadata: {} };
  }

  async listStatements() {
    return { Statements: [], $metadata: {} };
  }
}

const settings: DataApiSettings = { pollInitialMs: 1, pollMaxMs: 4, sessionKeepAliveSeconds: 300, busyAttempts: 3 };
const dialect = new RedshiftDialect({ database: 'dev' });
const target = { clusterIdentifier: 'c1', database: 'dev', dbUser: 'tsql' };

describe('Data API session', () => {
  it('opens a session with the first statement and names it afterwards', async () => {
    const api = new FakeApi();
    const s = new DataApiSession(api, target, settings, dialect);
    await s.execute('begin');
    await s.execute('create temporary table t as (select 1)');
    await s.execute('commit');
    expect(api.executed[0]).toEqual({ Sql: 'begin', ClusterIdentifier: 'c1', Database: 'dev', DbUser: 'tsql', SessionKeepAliveSeconds: 300 });
    expect(api.executed[1]).toEqual({ Sql: 'create temporary table t as (select 1)', SessionId: 'aaaaaaaa-0000-0000-0000-000000000000' });
    expect(s.session).toBe('aaaaaaaa-0000-0000-0000-000000000000');
  });

  it('reads every page of a result', async () => {
    const api = new FakeApi();
    api.script = [{ pages: [{ records: [[{ longValue: 1 }, { stringValue: 'a' }]] }, { records: [[{ longValue: 2 }, { isNull: true }]] }] }];
    const rows = await new DataApiSession(api, target, settings, dialect).query('select id, name from t');
    expect(rows).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: null },
    ]);
  });

  it('reports rows affected, and the server’s error text when a statement fails', async () => {
    const api = new FakeApi();
    api.script = [{ rows: 5 }, { status: 'FAILED', error: 'ERROR: relation "x" does not exist' }];
    const s = new DataApiSession(api, target, settings, dialect);
    expect(await s.execute('insert into t select 1')).toEqual({ rowsAffected: 5 });
    await expect(s.execute('select * from x')).rejects.toThrow('ERROR: relation "x" does not exist');
  });

  it('turns an aborted statement into a cancellation', async () => {
    const api = new FakeApi();
    const pool = new DataApiPool(api, 1, (inFlight) => new DataApiSession(api, target, { ...settings, pollInitialMs: 20 }, dialect, inFlight));
    const s = await pool.acquire();
    const running = s.execute('select pg_sleep(100)');
    await new Promise((r) => setTimeout(r, 5));
    await pool.cancelAll();
    await expect(running).rejects.toBeInstanceOf(StatementCancelledError);
    expect(api.cancelled).toHaveLength(1);
  });

  it('retries while the cluster has too many active statements', async () => {
    const api = new FakeApi();
    api.script = [{ refuse: 'ActiveStatementsExceededException' }, { rows: 1 }];
    await new DataApiSession(api, target, settings, dialect).execute('select 1');
    expect(api.executed).toHaveLength(2);
  });

  it('opens a new session when the old one expired, outside a transaction only', async () => {
    const api = new FakeApi();
    const s = new DataApiSession(api, target, settings, dialect);
    await s.execute('select 1');
    api.script = [{ refuse: 'ValidationException' }, {}];
    await s.execute('select 2');
    expect(api.executed[2]).toMatchObject({ ClusterIdentifier: 'c1', SessionKeepAliveSeconds: 300 });
    await s.execute('begin');
    api.script = [{ refuse: 'ValidationException' }];
    await expect(s.execute('insert into t select 1')).rejects.toThrow(/Session is not available/);
  });

  it('runs a batch as one BatchExecuteStatement', async () => {
    const api = new FakeApi();
    const s = new DataApiSession(api, target, settings, dialect);
    const r = await s.executeBatch(['delete from t', 'insert into t select 1']);
    expect(api.batches).toHaveLength(1);
    expect(r).toEqual([{ rowsAffected: 1 }, { rowsAffected: 2 }]);
    await expect(s.executeBatch(Array.from({ length: 41 }, () => 'select 1'))).rejects.toThrow(/at most 40/);
  });

  it('loads seed rows with named parameters, NULL and empty strings as literals', async () => {
    const api = new FakeApi();
    const s = new DataApiSession(api, target, settings, dialect);
    const n = await s.loadRows({ schema: 'analytics', identifier: 'seed' }, [{ name: 'id', dataType: 'integer' }, { name: 'name', dataType: 'varchar(65535)' }], [
      [1, ''],
      [2, null],
    ]);
    expect(n).toBe(2);
    expect(api.executed[0].Sql).toBe('insert into "analytics"."seed" ("id", "name") values\n(:p1, \'\'),\n(:p2, NULL)');
    expect(api.executed[0].Parameters).toEqual([
      { name: 'p1', value: '1' },
      { name: 'p2', value: '2' },
    ]);
  });

  it('says the warehouse cannot be used when AWS refuses the credentials', async () => {
    const api = new FakeApi();
    api.executeStatement = async () => {
      throw Object.assign(new Error('The security token included in the request is invalid.'), { name: 'UnrecognizedClientException' });
    };
    await expect(new DataApiSession(api, target, settings, dialect, new InFlight(), () => 'redshift (data api) cluster c1/dev').execute('select 1')).rejects.toBeInstanceOf(WarehouseError);
  });
});
