/**
 * The Snowflake stand-in's REST protocol, driven by the real snowflake-sdk
 * over 127.0.0.1 (test only). Statements run on a small scripted fake Engine
 * defined here, so this file does not depend on the DuckDB engine.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bind, Engine, EngineSession, SessionContext, SfColumn, StageLocation, StatementResult } from '../snowflake-standin/engine-types.js';
import { SfError } from '../snowflake-standin/engine-types.js';
import { encodeCell } from '../snowflake-standin/results.js';
import { startSnowflakeStandin, type SnowflakeStandin } from '../snowflake-standin/server.js';

// The sdk probes cloud metadata endpoints at import unless told not to: no network beyond 127.0.0.1 here.
process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';

/** Every host a socket of this process connects to (the sdk must reach nothing but the stand-in). */
const connectedHosts = new Set<string>();
const originalConnect = Socket.prototype.connect;
Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
  // net.createConnection passes its normalized arguments as one array: [options, callback]
  const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const host = typeof first === 'object' && first !== null ? (first as { host?: string }).host : typeof second === 'string' ? second : undefined;
  connectedHosts.add(host ?? 'localhost');
  return (originalConnect as (...a: unknown[]) => Socket).apply(this, args);
} as typeof Socket.prototype.connect;

type Sdk = typeof import('snowflake-sdk');
type Connection = ReturnType<Sdk['createConnection']>;
type Row = Record<string, unknown>;

// ---------------------------------------------------------------- fake engine

interface FakeCall {
  sql: string;
  binds?: Record<string, Bind>;
}

function canceled(): SfError {
  return new SfError('000604', 'SQL execution canceled', '57014');
}

const fixed = (name: string, scale = 0): SfColumn => ({ name, type: 'fixed', precision: 38, scale, nullable: true });

class FakeSession implements EngineSession {
  readonly context: SessionContext;
  closed = false;
  constructor(
    private readonly engine: FakeEngine,
    initial: Omit<SessionContext, 'parameters'> & { parameters?: SessionContext['parameters'] },
  ) {
    this.context = { database: initial.database, schema: initial.schema, warehouse: initial.warehouse, role: initial.role, parameters: { ...initial.parameters } };
  }

  async execute(sql: string, binds: Record<string, Bind> | undefined, signal: AbortSignal): Promise<StatementResult> {
    this.engine.calls.push({ sql, binds });
    const s = sql.trim().replace(/;$/, '');
    let m: RegExpExecArray | null;
    if ((m = /^select (-?\d+)$/i.exec(s))) return { kind: 'select', columns: [fixed('N')], rows: [[Number(m[1])]] };
    if (/^select types$/i.test(s)) {
      return {
        kind: 'select',
        columns: [
          fixed('I'),
          fixed('BIG'),
          fixed('D', 2),
          { name: 'R', type: 'real', nullable: true },
          { name: 'T', type: 'text', length: 100, nullable: true },
          { name: 'B', type: 'boolean', nullable: true },
          { name: 'F', type: 'boolean', nullable: true },
          { name: 'DT', type: 'date', nullable: true },
          { name: 'OLD', type: 'date', nullable: true },
          { name: 'TM', type: 'time', scale: 9, nullable: true },
          { name: 'NTZ', type: 'timestamp_ntz', scale: 9, nullable: true },
          { name: 'LTZ', type: 'timestamp_ltz', scale: 3, nullable: true },
          { name: 'TZ', type: 'timestamp_tz', scale: 9, nullable: true },
          { name: 'PRE', type: 'timestamp_ntz', scale: 6, nullable: true },
          { name: 'V', type: 'variant', nullable: true },
          { name: 'O', type: 'object', nullable: true },
          { name: 'A', type: 'array', nullable: true },
          { name: 'BIN', type: 'binary', nullable: true },
          { name: 'NUL', type: 'text', nullable: true },
          { name: 'NULN', type: 'fixed', nullable: true },
        ],
        rows: [
          [
            42,
            9007199254740993n,
            '12.5',
            3.25,
            `it's "quoted" — ünïcødé 🎉`,
            true,
            false,
            '2024-02-29',
            '1969-07-20',
            '13:45:30.123456789',
            '2024-03-01 12:34:56.789012345',
            '2024-03-01 12:34:56.789',
            '2024-03-01 12:34:56 +02:00',
            '1969-12-31 23:59:59.5',
            '{"a":[1,2,{"b":null}]}',
            '{"k":"v"}',
            '[1,"two",3]',
            'cafe01',
            null,
            null,
          ],
        ],
      };
    }
    if ((m = /^select range (\d+)$/i.exec(s))) {
      const n = Number(m[1]);
      return {
        kind: 'select',
        columns: [fixed('ID'), { name: 'LABEL', type: 'text', nullable: false }],
        rows: Array.from({ length: n }, (_, i) => [i, `row ${i}`]),
      };
    }
    if ((m = /^select sleep (\d+)$/i.exec(s))) {
      const ms = Number(m[1]);
      await new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(canceled());
        const t = setTimeout(resolve, ms);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          this.engine.abortedSignals++;
          reject(canceled());
        });
      });
      return { kind: 'select', columns: [fixed('SLEPT')], rows: [[ms]] };
    }
    if (/^insert /i.test(s)) {
      const first = binds?.['1']?.value;
      return { kind: 'insert', columns: [], rows: [], rowsAffected: Array.isArray(first) ? first.length : 1 };
    }
    if (/^update /i.test(s)) return { kind: 'update', columns: [], rows: [], rowsAffected: 3 };
    if (/^delete /i.test(s)) return { kind: 'delete', columns: [], rows: [], rowsAffected: 2 };
    if ((m = /^use database (\w+)$/i.exec(s))) {
      this.context.database = m[1].toUpperCase();
      return { kind: 'use', columns: [{ name: 'status', type: 'text', nullable: false }], rows: [['Statement executed successfully.']] };
    }
    if (/^select bind$/i.test(s)) {
      return { kind: 'select', columns: [{ name: 'V', type: 'text', nullable: true }], rows: [[binds?.['1']?.value as string | null]] };
    }
    if (/^select boom$/i.test(s)) throw new Error('the fake engine exploded');
    throw new SfError('002003', `SQL compilation error:\nObject '${s}' does not exist or not authorized.`, '02000');
  }

  resolveStage(stage: string): StageLocation {
    const ref = stage.replace(/^@/, '');
    const slash = ref.indexOf('/');
    const name = slash < 0 ? ref : ref.slice(0, slash);
    return { directory: join(this.engine.stageRoot, name.toLowerCase()), path: slash < 0 ? '' : ref.slice(slash + 1) };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

class FakeEngine implements Engine {
  readonly calls: FakeCall[] = [];
  readonly sessions: FakeSession[] = [];
  abortedSignals = 0;
  constructor(readonly stageRoot: string) {}
  async openSession(initial: Omit<SessionContext, 'parameters'> & { parameters?: SessionContext['parameters'] }): Promise<EngineSession> {
    const s = new FakeSession(this, initial);
    this.sessions.push(s);
    return s;
  }
  async close(): Promise<void> {}
}

// ---------------------------------------------------------------- sdk helpers

let snowflake: Sdk;
let standin: SnowflakeStandin;
let engine: FakeEngine;
let dir: string;

const USER = 'tester';
const PASSWORD = 's3cret-Pa55';

function connect(overrides: Record<string, unknown> = {}): Promise<Connection> {
  const conn = snowflake.createConnection({
    accessUrl: standin.accessUrl,
    account: 'tsqltest',
    username: USER,
    password: PASSWORD,
    database: 'ANALYTICS',
    schema: 'PUBLIC',
    warehouse: 'WH',
    role: 'TRANSFORMER',
    ...overrides,
  } as Parameters<Sdk['createConnection']>[0]);
  return new Promise((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve(conn))));
}

interface Executed {
  rows: Row[];
  stmt: ReturnType<Connection['execute']>;
}

function run(conn: Connection, sqlText: string, binds?: unknown[], extra: Record<string, unknown> = {}): Promise<Executed> {
  return new Promise((resolve, reject) => {
    conn.execute({
      sqlText,
      binds: binds as never,
      ...extra,
      complete: (err, stmt, rows) => (err ? reject(err) : resolve({ rows: (rows ?? []) as Row[], stmt })),
    });
  });
}

/** The database the result reports (data.finalDatabaseName), through the sdk's session state. */
function currentDatabase(stmt: Executed['stmt']): string | undefined {
  const state = stmt.getSessionState() as { getCurrentDatabase(): string | undefined } | undefined;
  return state?.getCurrentDatabase();
}

function destroy(conn: Connection): Promise<void> {
  return new Promise((resolve, reject) => conn.destroy((err) => (err ? reject(err) : resolve())));
}

interface SdkError extends Error {
  code?: string | number;
  sqlState?: string;
}

async function failure(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (err) {
    return err as SdkError;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sf-standin-'));
  engine = new FakeEngine(join(dir, 'stages'));
  standin = await startSnowflakeStandin({ engine, account: 'tsqltest', users: { [USER]: PASSWORD }, rowsPerChunk: 1000, asyncAfterMs: 200, pollWaitMs: 300 });
  snowflake = (await import('snowflake-sdk')).default;
  snowflake.configure({ logLevel: 'OFF' });
});

afterAll(async () => {
  Socket.prototype.connect = originalConnect;
  await standin?.close();
  rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------- tests

describe('Snowflake stand-in: REST protocol with the real snowflake-sdk', () => {
  it('logs in, opens an engine session with the login context, runs a statement, and logs out', async () => {
    const before = engine.sessions.length;
    const logins = standin.stats.logins;
    const conn = await connect();
    expect(standin.stats.logins).toBe(logins + 1);
    const session = engine.sessions[before];
    expect(session.context).toMatchObject({ database: 'ANALYTICS', schema: 'PUBLIC', warehouse: 'WH', role: 'TRANSFORMER' });
    const { rows, stmt } = await run(conn, 'select 7');
    expect(rows).toEqual([{ N: 7 }]);
    expect(stmt.getQueryId()).toMatch(/^[0-9a-f-]{36}$/);
    expect(currentDatabase(stmt)).toBe('ANALYTICS');
    const deleted = standin.stats.sessionsDeleted;
    await destroy(conn);
    expect(standin.stats.sessionsDeleted).toBe(deleted + 1);
    expect(session.closed).toBe(true);
  });

  it('refuses a wrong password with the service error, without echoing the password', async () => {
    const failures = standin.stats.loginFailures;
    const err = await failure(connect({ password: 'not-the-password' }));
    expect(String(err.code)).toBe('390100');
    expect(err.message).toBe('Incorrect username or password was specified.');
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain('not-the-password');
    expect(standin.stats.loginFailures).toBe(failures + 1);
  });

  it('accepts key-pair (JWT) and OAuth logins, checking the request shape', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const jwt = await connect({ authenticator: 'SNOWFLAKE_JWT', privateKey: pem, password: undefined });
    expect((await run(jwt, 'select 2')).rows).toEqual([{ N: 2 }]);
    await destroy(jwt);
    const oauth = await connect({ authenticator: 'OAUTH', token: 'an-access-token', password: undefined });
    expect((await run(oauth, 'select 3')).rows).toEqual([{ N: 3 }]);
    await destroy(oauth);
  });

  it('decodes every column type to the JS value the sdk promises', async () => {
    const conn = await connect();
    const { rows } = await run(conn, 'select types');
    const r = rows[0];
    expect(r.I).toBe(42);
    expect(r.BIG).toBe(Number('9007199254740993'));
    expect(r.D).toBe(12.5);
    expect(r.R).toBe(3.25);
    expect(r.T).toBe(`it's "quoted" — ünïcødé 🎉`);
    expect(r.B).toBe(true);
    expect(r.F).toBe(false);
    expect((r.DT as Date).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect((r.OLD as Date).toISOString()).toBe('1969-07-20T00:00:00.000Z');
    expect(r.TM).toBe('13:45:30');
    const ntz = r.NTZ as Date & { getNanoSeconds(): number };
    expect(ntz.toISOString()).toBe('2024-03-01T12:34:56.789Z');
    expect(ntz.getNanoSeconds()).toBe(789012345);
    expect((r.LTZ as Date).toISOString()).toBe('2024-03-01T12:34:56.789Z');
    expect((r.TZ as Date).toISOString()).toBe('2024-03-01T10:34:56.000Z');
    expect(JSON.stringify(r.TZ)).toBe('"2024-03-01 12:34:56.000 +0200"');
    expect((r.PRE as Date).toISOString()).toBe('1969-12-31T23:59:59.500Z');
    expect(r.V).toEqual({ a: [1, 2, { b: null }] });
    expect(r.O).toEqual({ k: 'v' });
    expect(r.A).toEqual([1, 'two', 3]);
    expect(Buffer.isBuffer(r.BIN) && (r.BIN as Buffer).toString('hex')).toBe('cafe01');
    expect(r.NUL).toBeNull();
    expect(r.NULN).toBeNull();
    await destroy(conn);
  });

  it('splits a 10,000-row result into gzipped chunks the sdk downloads in order', async () => {
    const conn = await connect();
    const served = standin.stats.chunksServed;
    const { rows } = await run(conn, 'select range 10000');
    expect(rows).toHaveLength(10_000);
    expect(rows[0]).toEqual({ ID: 0, LABEL: 'row 0' });
    expect(rows[9999]).toEqual({ ID: 9999, LABEL: 'row 9999' });
    expect(rows.every((r, i) => r.ID === i)).toBe(true);
    expect(standin.stats.chunksServed - served).toBe(9);
    await destroy(conn);
  });

  it('streams a chunked result with streamResult', async () => {
    const conn = await connect();
    const { stmt } = await run(conn, 'select range 2500', undefined, { streamResult: true });
    const ids: number[] = [];
    await new Promise<void>((resolve, reject) => {
      stmt
        .streamRows()
        .on('data', (row: Row) => ids.push(row.ID as number))
        .on('error', reject)
        .on('end', () => resolve());
    });
    expect(ids).toHaveLength(2500);
    expect(ids[2499]).toBe(2499);
    await destroy(conn);
  });

  it('passes binds through, array binds as one multi-row insert, and reports updated rows', async () => {
    const conn = await connect();
    const single = await run(conn, 'select bind', ['x']);
    expect(single.rows).toEqual([{ V: 'x' }]);
    const ins = await run(conn, 'insert into t values (?, ?)', [
      [1, 'a'],
      [2, null],
      [3, 'c'],
    ]);
    expect(ins.stmt.getNumUpdatedRows()).toBe(3);
    const call = engine.calls.filter((c) => c.sql.startsWith('insert into t')).at(-1);
    expect(call?.binds).toEqual({ '1': { type: 'FIXED', value: ['1', '2', '3'] }, '2': { type: 'TEXT', value: ['a', null, 'c'] } });
    expect((await run(conn, 'update t set x = 1')).stmt.getNumUpdatedRows()).toBe(3);
    expect((await run(conn, 'delete from t')).stmt.getNumUpdatedRows()).toBe(2);
    await destroy(conn);
  });

  it('answers a slow statement "in progress" and the sdk polls for its result', async () => {
    const conn = await connect();
    const start = Date.now();
    const { rows } = await run(conn, 'select sleep 900');
    expect(rows).toEqual([{ SLEPT: 900 }]);
    expect(Date.now() - start).toBeGreaterThanOrEqual(850);
    await destroy(conn);
  });

  it('runs asyncExec statements detached; the result is fetched by query id and monitored', async () => {
    const conn = await connect();
    const queryId = await new Promise<string>((resolve, reject) =>
      conn.execute({ sqlText: 'select sleep 400', asyncExec: true, complete: (err, stmt) => (err ? reject(err) : resolve(stmt.getQueryId())) }),
    );
    expect(await conn.getQueryStatus(queryId)).toBe('RUNNING');
    const rows = await new Promise<Row[]>((resolve, reject) =>
      conn.fetchResult({ queryId, complete: (err, _stmt, r) => (err ? reject(err) : resolve((r ?? []) as Row[])) }),
    );
    expect(rows).toEqual([{ SLEPT: 400 }]);
    expect(await conn.getQueryStatus(queryId)).toBe('SUCCESS');
    await destroy(conn);
  });

  it('cancels a running statement: abort-request reaches the engine signal, the sdk sees 000604', async () => {
    const conn = await connect();
    const aborted = engine.abortedSignals;
    const aborts = standin.stats.aborts.length;
    const pending = new Promise<SdkError>((resolve) => {
      const stmt = conn.execute({ sqlText: 'select sleep 20000', complete: (err) => resolve(err as SdkError) });
      setTimeout(() => stmt.cancel(), 500);
    });
    const err = await pending;
    expect(String(err.code)).toBe('000604');
    expect(err.message).toBe('SQL execution canceled');
    expect(engine.abortedSignals).toBe(aborted + 1);
    expect(standin.stats.aborts.slice(aborts).map((a) => [a.sqlText, a.via])).toEqual([['select sleep 20000', 'queryId']]);
    await destroy(conn);
  });

  it('cancels by requestId when the statement has no query id yet', async () => {
    const conn = await connect();
    standin.setFaults({ slowQuery: { match: 'select 99', ms: 20_000 } });
    try {
      const err = await new Promise<SdkError>((resolve) => {
        const stmt = conn.execute({ sqlText: 'select 99', complete: (e) => resolve(e as SdkError) });
        stmt.cancel();
      });
      expect(String(err.code)).toBe('000604');
      expect(standin.stats.slowed).toBeGreaterThan(0);
      expect(standin.stats.aborts.at(-1)).toMatchObject({ sqlText: 'select 99', via: 'requestId' });
    } finally {
      standin.setFaults({});
    }
    await destroy(conn);
  });

  it('destroy deletes the session: its running statement is aborted and its engine session closed', async () => {
    const conn = await connect();
    const session = engine.sessions.at(-1);
    const aborted = engine.abortedSignals;
    const outcome = new Promise<unknown>((resolve) => conn.execute({ sqlText: 'select sleep 20000', complete: (err) => resolve(err) }));
    await new Promise((r) => setTimeout(r, 400));
    await destroy(conn);
    expect(engine.abortedSignals).toBe(aborted + 1);
    expect(standin.stats.aborts.at(-1)).toMatchObject({ sqlText: 'select sleep 20000', via: 'session' });
    expect(session?.closed).toBe(true);
    expect(await outcome).toBeTruthy();
  });

  it.each([
    [429, 2],
    [503, 1],
  ] as const)('retries a throttled (%i × %i) query-request to success', async (status, times) => {
    const conn = await connect();
    const throttled = standin.stats.throttled;
    const queries = standin.stats.queries.length;
    standin.setFaults({ throttle: { status, times, path: 'query' } });
    const { rows } = await run(conn, 'select 5');
    expect(rows).toEqual([{ N: 5 }]);
    expect(standin.stats.throttled - throttled).toBe(times);
    expect(standin.stats.queries.length - queries).toBe(1);
    standin.setFaults({});
    await destroy(conn);
  }, 60_000);

  it('retries a throttled chunk download to success', async () => {
    const conn = await connect();
    const throttled = standin.stats.throttled;
    standin.setFaults({ throttle: { status: 503, times: 1, path: 'result' } });
    const { rows } = await run(conn, 'select range 1500');
    expect(rows).toHaveLength(1500);
    expect(rows[1499]).toEqual({ ID: 1499, LABEL: 'row 1499' });
    expect(standin.stats.throttled - throttled).toBe(1);
    standin.setFaults({});
    await destroy(conn);
  }, 60_000);

  it('retries a throttled login to success', async () => {
    standin.setFaults({ throttle: { status: 503, times: 1, path: 'login' } });
    const conn = await connect();
    expect((await run(conn, 'select 1')).rows).toEqual([{ N: 1 }]);
    standin.setFaults({});
    await destroy(conn);
  }, 60_000);

  it('renews an expired session token with the master token and retries the statement', async () => {
    const conn = await connect();
    const renewals = standin.stats.tokenRenewals;
    standin.setFaults({ expireSession: { times: 1 } });
    const { rows } = await run(conn, 'select 11');
    expect(rows).toEqual([{ N: 11 }]);
    expect(standin.stats.expiredSessions).toBeGreaterThan(0);
    expect(standin.stats.tokenRenewals).toBe(renewals + 1);
    expect((await run(conn, 'select 12')).rows).toEqual([{ N: 12 }]);
    standin.setFaults({});
    await destroy(conn);
  });

  it('resends of the same requestId after a dropped connection do not run the statement twice', async () => {
    const conn = await connect();
    standin.setFaults({ dropConnection: { match: 'insert into once', times: 1 } });
    const calls = engine.calls.length;
    const { stmt } = await run(conn, 'insert into once values (?)', [[1], [2]]);
    expect(stmt.getNumUpdatedRows()).toBe(2);
    expect(engine.calls.slice(calls).filter((c) => c.sql.startsWith('insert into once'))).toHaveLength(1);
    expect(standin.stats.droppedConnections).toBe(1);
    expect(standin.stats.dedupedRequests).toBeGreaterThan(0);
    standin.setFaults({});
    await destroy(conn);
  }, 60_000);

  it('surfaces engine errors and failQuery faults with code, message and SQL state', async () => {
    const conn = await connect();
    const missing = await failure(run(conn, 'select * from nowhere'));
    expect(String(missing.code)).toBe('002003');
    expect(missing.message).toContain("Object 'select * from nowhere' does not exist");
    expect(missing.sqlState).toBe('02000');
    const boom = await failure(run(conn, 'select boom'));
    expect(String(boom.code)).toBe('000603');
    expect(boom.message).toContain('the fake engine exploded');
    standin.setFaults({ failQuery: { match: /^select 13$/, code: '100038', message: "Numeric value 'x' is not recognized", sqlState: '22018' } });
    const calls = engine.calls.length;
    const injected = await failure(run(conn, 'select 13'));
    expect(String(injected.code)).toBe('100038');
    expect(injected.message).toBe("Numeric value 'x' is not recognized");
    expect(injected.sqlState).toBe('22018');
    expect(engine.calls.length).toBe(calls);
    standin.setFaults({});
    await destroy(conn);
  });

  it('reports the session context a USE changed', async () => {
    const conn = await connect();
    const { stmt } = await run(conn, 'use database other');
    expect(currentDatabase(stmt)).toBe('OTHER');
    await destroy(conn);
  });

  it('PUTs a local file (gzipped by the sdk) into the stage directory, and GETs it back', async () => {
    const conn = await connect();
    const src = join(dir, 'people.csv');
    writeFileSync(src, 'id,name\n1,Ada\n2,Grace\n');
    const put = await run(conn, `PUT file://${src} @my_stage/in`);
    expect(put.rows[0]).toMatchObject({ source: 'people.csv', target: 'people.csv.gz', status: 'UPLOADED' });
    const landed = join(dir, 'stages', 'my_stage', 'in', 'people.csv.gz');
    expect(existsSync(landed)).toBe(true);
    expect(gunzipSync(readFileSync(landed)).toString()).toBe('id,name\n1,Ada\n2,Grace\n');
    expect(standin.stats.puts.at(-1)).toMatchObject({ sources: [src], location: join(dir, 'stages', 'my_stage', 'in') });

    const out = join(dir, 'downloaded');
    mkdirSync(out);
    const get = await run(conn, `GET @my_stage/in file://${out}/`);
    expect(get.rows[0]).toMatchObject({ file: 'people.csv.gz', status: 'DOWNLOADED' });
    expect(gunzipSync(readFileSync(join(out, 'people.csv.gz'))).toString()).toBe('id,name\n1,Ada\n2,Grace\n');
    await destroy(conn);
  });

  it('answers heartbeats, and refuses requests with no or an unknown token', async () => {
    const conn = await connect();
    const beats = standin.stats.heartbeats;
    expect(await conn.isValidAsync()).toBe(true);
    expect(standin.stats.heartbeats).toBe(beats + 1);
    await destroy(conn);

    const res = await fetch(`${standin.accessUrl}/queries/v1/query-request?requestId=x`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sqlText: 'select 1' }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ success: false, code: '390104' });
  });

  it('saw no request it does not know, and the sdk reached no other host', () => {
    expect(standin.stats.unknownRequests).toEqual([]);
    expect([...connectedHosts]).toEqual(['127.0.0.1']);
    expect(standin.stats.telemetry).toBeGreaterThan(0);
  });
});

describe('Snowflake stand-in: rowset cell encoding', () => {
  const col = (type: SfColumn['type'], scale?: number): SfColumn => ({ name: 'C', type, scale, nullable: true });

  it('writes cells as the service does', () => {
    expect(encodeCell(col('fixed', 2), 12.5)).toBe('12.50');
    expect(encodeCell(col('fixed', 2), 7n)).toBe('7.00');
    expect(encodeCell(col('fixed'), 1e21)).toBe('1000000000000000000000');
    expect(encodeCell(col('fixed', 3), '-0.125')).toBe('-0.125');
    expect(encodeCell(col('boolean'), 'TRUE')).toBe('1');
    expect(encodeCell(col('date'), '1970-01-02')).toBe('1');
    expect(encodeCell(col('date'), '1969-12-31')).toBe('-1');
    expect(encodeCell(col('time', 0), '01:00:01.999')).toBe('3601');
    expect(encodeCell(col('time', 3), '00:00:00.5')).toBe('0.500');
    expect(encodeCell(col('timestamp_ntz', 3), '1970-01-01 00:00:01.25')).toBe('1.250');
    expect(encodeCell(col('timestamp_ntz', 9), '1969-12-31 23:59:59.75')).toBe('-0.250000000');
    expect(encodeCell(col('timestamp_ltz', 0), '1970-01-01T00:01:00Z')).toBe('60');
    expect(encodeCell(col('timestamp_tz', 0), '1970-01-01 05:30:00 +05:30')).toBe('0 1770');
    expect(encodeCell(col('timestamp_tz', 0), '1970-01-01 00:00:00 -0800')).toBe('28800 960');
    expect(encodeCell(col('binary'), 'beef')).toBe('BEEF');
    expect(encodeCell(col('text'), null)).toBeNull();
    expect(() => encodeCell(col('date'), 'yesterday')).toThrow(/not a date/);
  });
});
