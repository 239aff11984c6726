/**
 * A local stand-in for the Amazon Redshift Data API (awsJson1_1 over HTTP),
 * running every statement on a real PostgreSQL server after translating it
 * from Redshift SQL (translate.ts, actions.ts). Drive it with the real
 * @aws-sdk/client-redshift-data client:
 *
 *   const standin = await startDataApiStandin({ pg, s3Root });
 *   const client = new RedshiftDataClient({ endpoint: standin.endpoint, region: 'us-east-1',
 *     credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
 *
 * Statements run asynchronously, each on a fresh PostgreSQL connection to the
 * request's Database (so a Database that does not exist on the server fails
 * like a database that does not exist on the cluster), or on a session's one
 * connection (SessionKeepAliveSeconds / SessionId). See README.md for the
 * details and the known differences from the real service.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { execute, type QueryResult, type Runner } from './actions.js';
import { ensureCatalog, type PgConfig } from './catalog.js';
import { splitStatements, substituteParameters, translateStatement } from './translate.js';

export type { PgConfig } from './catalog.js';

export interface StandinFaults {
  /** Answer the next N requests with ThrottlingException (HTTP 400); the SDK retries them. */
  throttle?: number;
  /** Only requests to these operations count for `throttle` (e.g. ['ExecuteStatement']); default all. */
  throttleTargets?: string[];
  /** Answer the next N requests with InternalServerException (HTTP 500). */
  internalErrors?: number;
  /** Statements whose SQL matches FAIL with `error` (as Error text, without running). `times` limits how often (default: always). */
  failStatements?: Array<{ match: string | RegExp; error: string; times?: number }>;
  /** Statements whose SQL matches wait `ms` after STARTED before they run (they can be cancelled meanwhile). */
  delayStatements?: Array<{ match: string | RegExp; ms: number; times?: number }>;
  /** The PostgreSQL backend running a matching statement is terminated `afterMs` after it starts. */
  dropBackend?: Array<{ match: string | RegExp; afterMs?: number; times?: number }>;
}

export interface DataApiStandinOptions {
  pg: PgConfig;
  /** root of the local S3: s3://bucket/key ↔ <s3Root>/bucket/key (see s3.ts) */
  s3Root: string;
  faults?: StandinFaults;
  /** rows per GetStatementResult page (default 100) */
  pageSize?: number;
  /** 'request' (default): a statement connects to the request's Database; 'fixed': always to pg.database */
  databaseMode?: 'request' | 'fixed';
  /** fold quoted identifiers to lower case like Redshift (default true) */
  foldQuotedIdentifiers?: boolean;
  /** listen port (default: any free port on 127.0.0.1) */
  port?: number;
}

export interface DataApiStats {
  /** requests by operation name (ExecuteStatement, DescribeStatement, …), throttled ones included */
  requests: Record<string, number>;
  throttled: number;
  internalErrors: number;
  /** CancelStatement calls that cancelled something */
  cancelled: number;
  statementsSubmitted: number;
  statementsFinished: number;
  statementsFailed: number;
  statementsAborted: number;
  sessionsCreated: number;
  sessionsExpired: number;
}

export interface DataApiStandin {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  stats: DataApiStats;
  /** Replaces the fault configuration. */
  setFaults(faults: StandinFaults): void;
  close(): Promise<void>;
}

type Status = 'SUBMITTED' | 'PICKED' | 'STARTED' | 'FINISHED' | 'FAILED' | 'ABORTED';

interface SubStatement {
  id: string;
  sql: string;
  status: Status;
  error?: string;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  endedAt?: number;
  result?: QueryResult;
  resultRows: number;
  resultSize: number;
  queryId: number;
}

interface Statement {
  id: string;
  isBatch: boolean;
  subs: SubStatement[];
  status: Status;
  error?: string;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  endedAt?: number;
  pid: number;
  database: string;
  dbUser?: string;
  clusterIdentifier?: string;
  workgroupName?: string;
  secretArn?: string;
  statementName?: string;
  parameters?: Array<{ name: string; value: string }>;
  resultFormat: string;
  executionMode: 'TRANSACTION' | 'AUTO_COMMIT';
  session?: Session;
  cancelRequested: boolean;
  done: Promise<void>;
}

interface Session {
  id: string;
  database: string;
  dbUser?: string;
  clusterIdentifier?: string;
  workgroupName?: string;
  secretArn?: string;
  keepAliveSeconds: number;
  client?: pg.Client;
  runner?: PgClientRunner;
  busyWith?: string;
  timer?: NodeJS.Timeout;
  closed: boolean;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const validation = (message: string) => new ApiError(400, 'ValidationException', message);

/** pg returns every value as PostgreSQL's text. */
const RAW_TYPES = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

/** A `Runner` over a pg client, tracking the transaction status from ReadyForQuery. */
class PgClientRunner implements Runner {
  txStatus = 'I';

  constructor(readonly client: pg.Client) {
    const connection = (client as unknown as { connection: { on(event: string, fn: (msg: { status: string }) => void): void } }).connection;
    connection.on('readyForQuery', (msg) => {
      this.txStatus = msg.status;
    });
  }

  async query(sql: string): Promise<QueryResult> {
    const r = (await this.client.query({ text: sql, rowMode: 'array', types: RAW_TYPES })) as unknown as pg.QueryArrayResult | pg.QueryArrayResult[];
    const last = Array.isArray(r) ? r[r.length - 1] : r;
    return {
      command: last.command + (last.command === 'INSERT' ? ` 0 ${last.rowCount ?? 0}` : last.rowCount !== null && last.rowCount !== undefined ? ` ${last.rowCount}` : ''),
      rowCount: last.rowCount ?? null,
      fields: (last.fields ?? []).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID, dataTypeModifier: f.dataTypeModifier })),
      rows: (last.rows ?? []) as Array<Array<string | null>>,
    };
  }

  async copyIn(sql: string, data: Buffer[]): Promise<number> {
    const stream = this.client.query(copyFrom(sql));
    await pipeline(Readable.from(data), stream);
    return stream.rowCount;
  }

  async copyOut(sql: string, onData: (chunk: Buffer) => void): Promise<number> {
    const stream = this.client.query(copyTo(sql));
    for await (const chunk of stream) onData(chunk as Buffer);
    return stream.rowCount;
  }

  inTransaction(): boolean {
    return this.txStatus !== 'I';
  }

  transactionStatus(): 'I' | 'T' | 'E' {
    return this.txStatus as 'I' | 'T' | 'E';
  }
}

/** PostgreSQL type oid → the type name the Data API reports. */
const TYPE_NAMES: Record<number, string> = {
  16: 'bool',
  17: 'varbyte',
  18: 'char',
  19: 'name',
  20: 'int8',
  21: 'int2',
  23: 'int4',
  25: 'varchar',
  26: 'oid',
  114: 'super',
  3802: 'super',
  700: 'float4',
  701: 'float8',
  705: 'varchar',
  1042: 'bpchar',
  1043: 'varchar',
  1082: 'date',
  1083: 'time',
  1114: 'timestamp',
  1184: 'timestamptz',
  1186: 'interval',
  1266: 'timetz',
  1700: 'numeric',
  2950: 'varchar',
};

const PRECISION: Record<string, number> = { bool: 1, int2: 5, int4: 10, int8: 19, float4: 8, float8: 17, date: 13, timestamp: 29, timestamptz: 35, time: 15, timetz: 21 };

function matches(m: string | RegExp, sql: string): boolean {
  return typeof m === 'string' ? sql.includes(m) : m.test(sql);
}

/** Takes the first matching fault entry, counting down its `times`. */
function takeFault<T extends { match: string | RegExp; times?: number }>(list: T[] | undefined, sql: string): T | undefined {
  if (!list) return undefined;
  const i = list.findIndex((f) => matches(f.match, sql) && (f.times === undefined || f.times > 0));
  if (i < 0) return undefined;
  const f = list[i];
  if (f.times !== undefined) f.times--;
  return f;
}

const now = () => Date.now();
const epoch = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
const MAX_SQL_BYTES = 100_000;
const MAX_BATCH = 40;

export async function startDataApiStandin(options: DataApiStandinOptions): Promise<DataApiStandin> {
  const pageSize = options.pageSize ?? 100;
  let faults: StandinFaults = structuredFaults(options.faults);
  const stats: DataApiStats = {
    requests: {},
    throttled: 0,
    internalErrors: 0,
    cancelled: 0,
    statementsSubmitted: 0,
    statementsFinished: 0,
    statementsFailed: 0,
    statementsAborted: 0,
    sessionsCreated: 0,
    sessionsExpired: 0,
  };
  const statements = new Map<string, Statement>();
  const order: Statement[] = [];
  const sessions = new Map<string, Session>();
  const clientTokens = new Map<string, Record<string, unknown>>();
  const openClients = new Set<pg.Client>();
  const typeNames = new Map<number, string>();
  let queryIds = 1000;
  let closing = false;

  await ensureCatalog(options.pg);

  function structuredFaults(f: StandinFaults | undefined): StandinFaults {
    return {
      ...f,
      failStatements: f?.failStatements?.map((x) => ({ ...x })),
      delayStatements: f?.delayStatements?.map((x) => ({ ...x })),
      dropBackend: f?.dropBackend?.map((x) => ({ ...x })),
    };
  }

  const pgFor = (database: string): PgConfig => ({ ...options.pg, database: options.databaseMode === 'fixed' ? options.pg.database : database });

  async function connect(database: string): Promise<pg.Client> {
    const config = pgFor(database);
    await ensureCatalog(options.pg, config.database);
    const client = new pg.Client({ ...config, application_name: 'redshift-standin' });
    client.on('error', () => undefined);
    await client.connect();
    openClients.add(client);
    client.on('end', () => openClients.delete(client));
    return client;
  }

  async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = new pg.Client({ ...options.pg, application_name: 'redshift-standin-admin' });
    c.on('error', () => undefined);
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  async function typeName(oid: number): Promise<string> {
    const known = TYPE_NAMES[oid] ?? typeNames.get(oid);
    if (known) return known;
    const name = await admin(async (c) => (await c.query('select typname from pg_type where oid = $1', [oid])).rows[0]?.typname as string | undefined);
    typeNames.set(oid, name ?? 'unknown');
    return name ?? 'unknown';
  }

  // ------------------------------------------------------------------ sessions

  function closeSession(s: Session, expired: boolean): void {
    if (s.closed) return;
    s.closed = true;
    if (s.timer) clearTimeout(s.timer);
    if (expired) stats.sessionsExpired++;
    s.client?.end().catch(() => undefined);
  }

  function releaseSession(s: Session): void {
    s.busyWith = undefined;
    if (s.closed) return;
    if (s.timer) clearTimeout(s.timer);
    s.timer = setTimeout(() => closeSession(s, true), s.keepAliveSeconds * 1000);
    s.timer.unref();
  }

  // ------------------------------------------------------------------ running statements

  function touch(x: { updatedAt: number }): void {
    x.updatedAt = now();
  }

  function failureText(e: unknown): string {
    const err = e as { severity?: string; message?: string };
    const message = err?.message ?? String(e);
    return /^(ERROR|FATAL|PANIC):/.test(message) ? message : `${err?.severity === 'FATAL' ? 'FATAL' : 'ERROR'}: ${message}`;
  }

  const cancelledError = () => Object.assign(new Error('cancelled'), { code: '57014' });

  async function runStatement(st: Statement): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (st.cancelRequested) return finishAborted(st);
    st.status = 'PICKED';
    touch(st);
    let client: pg.Client | undefined;
    let runner: PgClientRunner | undefined;
    let dropTimer: NodeJS.Timeout | undefined;
    try {
      if (st.session) {
        const s = st.session;
        if (!s.client) {
          s.client = await connect(s.database);
          s.client.on('end', () => closeSession(s, false));
          s.runner = new PgClientRunner(s.client);
        }
        client = s.client;
        runner = s.runner!;
      } else {
        client = await connect(st.database);
        runner = new PgClientRunner(client);
      }
      st.pid = (client as unknown as { processID: number }).processID;
      st.status = 'STARTED';
      st.startedAt = now();
      touch(st);
      const allSql = st.subs.map((s) => s.sql).join('\n');
      const delay = takeFault(faults.delayStatements, allSql);
      if (delay) await new Promise((r) => setTimeout(r, delay.ms));
      if (st.cancelRequested) throw cancelledError();
      const failure = takeFault(faults.failStatements, allSql);
      if (failure) throw Object.assign(new Error(failure.error.replace(/^ERROR:\s*/, '')), { injected: true });
      const drop = takeFault(faults.dropBackend, allSql);
      if (drop) {
        const pid = st.pid;
        dropTimer = setTimeout(() => {
          admin((c) => c.query('select pg_terminate_backend($1)', [pid])).catch(() => undefined);
        }, drop.afterMs ?? 50);
      }
      const wrap = st.isBatch && st.executionMode === 'TRANSACTION' && !runner.inTransaction();
      if (wrap) await runner.query('begin');
      let failedAt = -1;
      let failure2: unknown;
      for (let i = 0; i < st.subs.length; i++) {
        const sub = st.subs[i];
        if (st.cancelRequested) {
          failedAt = i;
          failure2 = cancelledError();
          break;
        }
        sub.status = 'STARTED';
        sub.startedAt = now();
        touch(sub);
        try {
          await runOne(sub, runner, st);
          sub.status = 'FINISHED';
          sub.endedAt = now();
          touch(sub);
        } catch (e) {
          failedAt = i;
          failure2 = e;
          break;
        }
      }
      if (failedAt >= 0) {
        if (wrap) await runner.query('rollback').catch(() => undefined);
        throw Object.assign(failure2 as object, { subIndex: failedAt });
      }
      if (wrap) await runner.query('commit');
      st.status = 'FINISHED';
      st.endedAt = now();
      touch(st);
      stats.statementsFinished++;
    } catch (e) {
      const err = e as { code?: string; subIndex?: number };
      const aborted = st.cancelRequested && (err.code === '57014' || err.code === undefined || err.code === '57P01');
      const text = aborted ? `ERROR: Query (${st.pid}) cancelled on user's request` : failureText(e);
      const idx = err.subIndex ?? 0;
      st.subs.forEach((sub, i) => {
        if (i < idx) return; // finished, then rolled back with the batch
        if (i === idx) {
          sub.status = aborted ? 'ABORTED' : 'FAILED';
          sub.error = text;
        } else sub.status = 'ABORTED';
        sub.endedAt = now();
        touch(sub);
      });
      st.status = aborted ? 'ABORTED' : 'FAILED';
      st.error = text;
      st.endedAt = now();
      touch(st);
      if (aborted) stats.statementsAborted++;
      else stats.statementsFailed++;
    } finally {
      if (dropTimer) clearTimeout(dropTimer);
      if (st.session) releaseSession(st.session);
      else if (client) await client.end().catch(() => undefined);
    }
  }

  function finishAborted(st: Statement): void {
    st.status = 'ABORTED';
    st.error = `ERROR: Query (${st.pid}) cancelled on user's request`;
    st.endedAt = now();
    for (const sub of st.subs) if (sub.status !== 'FINISHED') sub.status = 'ABORTED';
    touch(st);
    stats.statementsAborted++;
    if (st.session) releaseSession(st.session);
  }

  async function runOne(sub: SubStatement, runner: PgClientRunner, st: Statement): Promise<void> {
    let sql = sub.sql;
    if (st.parameters?.length) {
      const sub2 = substituteParameters(sql, st.parameters);
      sql = sub2.sql;
    }
    const parts = splitStatements(sql);
    if (parts.length > 1) throw new Error('cannot insert multiple commands into a prepared statement');
    if (!parts.length) {
      sub.resultRows = 0;
      return;
    }
    const translation = translateStatement(parts[0], { database: st.database, foldQuotedIdentifiers: options.foldQuotedIdentifiers });
    const outcome = await execute(translation, runner, { s3Root: options.s3Root });
    if (outcome.result) {
      sub.result = outcome.result;
      sub.resultRows = outcome.result.rows.length;
      sub.resultSize = outcome.result.rows.reduce((n, row) => n + row.reduce((m, v) => m + (v === null ? 0 : Buffer.byteLength(v)), 0), 0);
    } else {
      sub.resultRows = outcome.rowCount ?? 0;
      sub.resultSize = 0;
    }
  }

  // ------------------------------------------------------------------ operations

  interface ConnectionInput {
    ClusterIdentifier?: string;
    WorkgroupName?: string;
    Database?: string;
    DbUser?: string;
    SecretArn?: string;
    SessionId?: string;
    SessionKeepAliveSeconds?: number;
    StatementName?: string;
    ClientToken?: string;
    ResultFormat?: string;
    WaitTimeSeconds?: number;
    Parameters?: Array<{ name: string; value: string }>;
  }

  function checkSql(sql: unknown, what: string): string {
    if (typeof sql !== 'string' || !sql.length) throw validation(`${what} must not be empty`);
    if (Buffer.byteLength(sql) > MAX_SQL_BYTES) throw validation(`${what} exceeds the maximum size of ${MAX_SQL_BYTES / 1000} KB`);
    return sql;
  }

  function resolveConnection(input: ConnectionInput): { session?: Session; database: string; newSession?: Session } {
    if (input.SessionKeepAliveSeconds !== undefined && (input.SessionKeepAliveSeconds < 0 || input.SessionKeepAliveSeconds > 86400)) {
      throw validation('SessionKeepAliveSeconds must be between 0 and 86400');
    }
    if (input.Parameters) {
      for (const p of input.Parameters) {
        if (!p || typeof p.name !== 'string' || !/^[0-9a-zA-Z_]+$/.test(p.name)) throw validation(`invalid parameter name: ${JSON.stringify(p?.name)}`);
        if (typeof p.value !== 'string' || !p.value.length) throw validation(`parameter ${p.name} needs a non-empty value`);
      }
    }
    if (input.ResultFormat !== undefined && input.ResultFormat !== 'JSON' && input.ResultFormat !== 'CSV') throw validation(`invalid ResultFormat: ${input.ResultFormat}`);
    if (input.SessionId) {
      if (input.ClusterIdentifier || input.WorkgroupName) throw validation('SessionId cannot be combined with ClusterIdentifier or WorkgroupName');
      const s = sessions.get(input.SessionId);
      if (!s || s.closed) throw validation(`Session ${input.SessionId} is not available: it does not exist or has expired`);
      if (s.busyWith) throw validation(`Session is not available: session ${s.id} is running statement ${s.busyWith}`);
      if (input.Database && input.Database !== s.database) throw validation(`Database ${input.Database} does not match the session's database ${s.database}`);
      if (input.SessionKeepAliveSeconds !== undefined) s.keepAliveSeconds = input.SessionKeepAliveSeconds;
      return { session: s, database: s.database };
    }
    const targets = [input.ClusterIdentifier, input.WorkgroupName].filter((x) => x !== undefined && x !== '');
    if (targets.length !== 1) throw validation('Either ClusterIdentifier or WorkgroupName must be specified, and not both');
    if (!input.Database) throw validation('Database is required');
    if (input.WorkgroupName && input.DbUser) throw validation('DbUser cannot be used with WorkgroupName');
    if (input.DbUser && input.SecretArn) throw validation('Specify either DbUser or SecretArn, not both');
    if (input.SessionKeepAliveSeconds && input.SessionKeepAliveSeconds > 0) {
      const s: Session = {
        id: randomUUID(),
        database: input.Database,
        dbUser: input.DbUser,
        clusterIdentifier: input.ClusterIdentifier,
        workgroupName: input.WorkgroupName,
        secretArn: input.SecretArn,
        keepAliveSeconds: input.SessionKeepAliveSeconds,
        closed: false,
      };
      return { database: input.Database, newSession: s };
    }
    return { database: input.Database };
  }

  async function submit(input: ConnectionInput, sqls: string[], isBatch: boolean, executionMode: string | undefined): Promise<Record<string, unknown>> {
    if (input.ClientToken && clientTokens.has(input.ClientToken)) return clientTokens.get(input.ClientToken)!;
    const conn = resolveConnection(input);
    if (conn.newSession) {
      sessions.set(conn.newSession.id, conn.newSession);
      stats.sessionsCreated++;
    }
    const session = conn.session ?? conn.newSession;
    const id = randomUUID();
    const created = now();
    const st: Statement = {
      id,
      isBatch,
      subs: sqls.map((sql, i) => ({
        id: isBatch ? `${id}:${i + 1}` : id,
        sql,
        status: 'SUBMITTED',
        createdAt: created,
        updatedAt: created,
        resultRows: -1,
        resultSize: -1,
        queryId: ++queryIds,
      })),
      status: 'SUBMITTED',
      createdAt: created,
      updatedAt: created,
      pid: 0,
      database: conn.database,
      dbUser: session?.dbUser ?? input.DbUser,
      clusterIdentifier: session?.clusterIdentifier ?? input.ClusterIdentifier,
      workgroupName: session?.workgroupName ?? input.WorkgroupName,
      secretArn: session?.secretArn ?? input.SecretArn,
      statementName: input.StatementName,
      parameters: input.Parameters,
      resultFormat: input.ResultFormat ?? 'JSON',
      executionMode: executionMode === 'AUTO_COMMIT' ? 'AUTO_COMMIT' : 'TRANSACTION',
      session,
      cancelRequested: false,
      done: Promise.resolve(),
    };
    if (session) {
      session.busyWith = id;
      if (session.timer) clearTimeout(session.timer);
    }
    statements.set(id, st);
    order.push(st);
    stats.statementsSubmitted++;
    st.done = runStatement(st);
    if (input.WaitTimeSeconds && input.WaitTimeSeconds > 0) {
      await Promise.race([st.done, new Promise((r) => setTimeout(r, input.WaitTimeSeconds! * 1000))]);
    }
    const out: Record<string, unknown> = {
      Id: id,
      CreatedAt: epoch(created),
      Database: st.database,
      DbUser: st.dbUser,
      ClusterIdentifier: st.clusterIdentifier,
      WorkgroupName: st.workgroupName,
      SecretArn: st.secretArn,
      SessionId: session?.id,
      DbGroups: [],
    };
    if (input.WaitTimeSeconds) {
      out.Status = st.status;
      out.RedshiftPid = st.pid;
      out.HasResultSet = st.subs.some((s) => !!s.result);
    }
    if (input.ClientToken) clientTokens.set(input.ClientToken, out);
    return out;
  }

  function findStatement(idArg: unknown): { st: Statement; sub?: SubStatement } {
    if (typeof idArg !== 'string' || !idArg) throw validation('Id is required');
    const m = /^([0-9a-f-]{36})(?::(\d+))?$/.exec(idArg);
    if (!m) throw validation(`invalid statement Id: ${idArg}`);
    const st = statements.get(m[1]);
    if (!st) throw new ApiError(404, 'ResourceNotFoundException', `Query does not exist: ${idArg}`, { ResourceId: idArg });
    if (m[2] === undefined) return { st };
    const sub = st.isBatch ? st.subs[Number(m[2]) - 1] : undefined;
    if (!sub) throw new ApiError(404, 'ResourceNotFoundException', `Query does not exist: ${idArg}`, { ResourceId: idArg });
    return { st, sub };
  }

  function durationNs(x: { startedAt?: number; endedAt?: number; status: Status }): number {
    if (x.status === 'FAILED' || x.status === 'ABORTED') return -1;
    if (x.startedAt === undefined) return 0;
    return Math.round(((x.endedAt ?? now()) - x.startedAt) * 1e6);
  }

  const subHasResult = (s: SubStatement) => !!s.result;

  function describe(input: { Id?: string; WaitTimeSeconds?: number }): Record<string, unknown> {
    const { st, sub } = findStatement(input.Id);
    const common = {
      SecretArn: st.secretArn,
      DbUser: st.dbUser,
      Database: st.database,
      ClusterIdentifier: st.clusterIdentifier,
      WorkgroupName: st.workgroupName,
      RedshiftPid: st.pid,
      QueryParameters: st.parameters,
      ResultFormat: st.resultFormat,
      SessionId: st.session?.id,
    };
    if (sub || !st.isBatch) {
      const s = sub ?? st.subs[0];
      const status = sub ? s.status : st.status;
      return {
        Id: s.id,
        ...common,
        Status: status,
        Error: sub ? s.error : st.error,
        Duration: durationNs(sub ? s : st),
        CreatedAt: epoch(s.createdAt),
        UpdatedAt: epoch(Math.max(s.updatedAt, sub ? 0 : st.updatedAt)),
        HasResultSet: subHasResult(s),
        QueryString: s.sql,
        ResultRows: status === 'FINISHED' ? s.resultRows : -1,
        ResultSize: status === 'FINISHED' ? s.resultSize : -1,
        RedshiftQueryId: s.queryId,
      };
    }
    return {
      Id: st.id,
      ...common,
      Status: st.status,
      Error: st.error,
      Duration: durationNs(st),
      CreatedAt: epoch(st.createdAt),
      UpdatedAt: epoch(st.updatedAt),
      HasResultSet: st.subs.some(subHasResult),
      ResultRows: st.status === 'FINISHED' ? st.subs.reduce((n, s) => n + Math.max(0, s.resultRows), 0) : -1,
      ResultSize: st.status === 'FINISHED' ? st.subs.reduce((n, s) => n + Math.max(0, s.resultSize), 0) : -1,
      RedshiftQueryId: 0,
      SubStatements: st.subs.map((s) => ({
        Id: s.id,
        Status: s.status,
        Error: s.error,
        Duration: durationNs(s),
        CreatedAt: epoch(s.createdAt),
        UpdatedAt: epoch(s.updatedAt),
        QueryString: s.sql,
        ResultRows: s.status === 'FINISHED' ? s.resultRows : -1,
        ResultSize: s.status === 'FINISHED' ? s.resultSize : -1,
        RedshiftQueryId: s.queryId,
        HasResultSet: subHasResult(s),
      })),
    };
  }

  async function getResult(input: { Id?: string; NextToken?: string }): Promise<Record<string, unknown>> {
    const { st, sub } = findStatement(input.Id);
    if (st.isBatch && !sub) throw validation(`${st.id} is a batch statement: get the result of a sub-statement (${st.id}:1, ${st.id}:2, …)`);
    const s = sub ?? st.subs[0];
    if (s.status !== 'FINISHED' || !s.result) {
      throw new ApiError(404, 'ResourceNotFoundException', 'Query does not have result. Please check query status with DescribeStatement.', { ResourceId: s.id });
    }
    if (st.resultFormat === 'CSV') throw validation('The statement was run with ResultFormat CSV: use GetStatementResultV2');
    let offset = 0;
    if (input.NextToken) {
      const decoded = Buffer.from(input.NextToken, 'base64url').toString('utf8');
      const m = /^(.+)\|(\d+)$/.exec(decoded);
      if (!m || m[1] !== s.id) throw validation('Invalid NextToken');
      offset = Number(m[2]);
    }
    const result = s.result;
    const types = await Promise.all(result.fields.map((f) => typeName(f.dataTypeID)));
    const page = result.rows.slice(offset, offset + pageSize);
    const records = page.map((row) =>
      row.map((v, i) => {
        if (v === null) return { isNull: true };
        const t = types[i];
        if (t === 'bool') return { booleanValue: v === 't' || v === 'true' };
        if (t === 'int2' || t === 'int4' || t === 'int8') return { longValue: Number(v) };
        if ((t === 'float4' || t === 'float8') && Number.isFinite(Number(v))) return { doubleValue: Number(v) };
        return { stringValue: v };
      }),
    );
    const next = offset + pageSize < result.rows.length ? Buffer.from(`${s.id}|${offset + pageSize}`).toString('base64url') : undefined;
    return {
      Records: records,
      ColumnMetadata: result.fields.map((f, i) => {
        const t = types[i];
        let precision = PRECISION[t] ?? 0;
        let scale = 0;
        let length = 0;
        if (t === 'numeric' && f.dataTypeModifier >= 4) {
          precision = ((f.dataTypeModifier - 4) >> 16) & 0xffff;
          scale = (f.dataTypeModifier - 4) & 0xffff;
        }
        if ((t === 'varchar' || t === 'bpchar') && f.dataTypeModifier >= 4) {
          length = f.dataTypeModifier - 4;
          precision = length;
        } else if (t === 'varchar') precision = 65535;
        return {
          isCaseSensitive: t === 'varchar' || t === 'bpchar' || t === 'char' || t === 'name',
          isCurrency: false,
          isSigned: ['int2', 'int4', 'int8', 'float4', 'float8', 'numeric'].includes(t),
          label: f.name,
          name: f.name,
          nullable: 1,
          precision,
          scale,
          schemaName: '',
          tableName: '',
          typeName: t,
          length,
        };
      }),
      TotalNumRows: result.rows.length,
      NextToken: next,
    };
  }

  async function cancel(input: { Id?: string }): Promise<Record<string, unknown>> {
    const { st, sub } = findStatement(input.Id);
    if (sub) throw validation('Cancel the batch statement by its Id, not a sub-statement Id');
    if (st.status === 'FINISHED' || st.status === 'FAILED' || st.status === 'ABORTED') {
      throw validation(`Could not cancel a query that is already in ${st.status} state with ID: ${st.id}`);
    }
    st.cancelRequested = true;
    stats.cancelled++;
    if (st.status === 'STARTED' && st.pid) {
      const pid = st.pid;
      await admin((c) => c.query('select pg_cancel_backend($1)', [pid]));
    }
    return { Status: true };
  }

  function list(input: { NextToken?: string; MaxResults?: number; StatementName?: string; Status?: string; ClusterIdentifier?: string; WorkgroupName?: string; Database?: string }): Record<string, unknown> {
    if (input.MaxResults !== undefined && (input.MaxResults < 0 || input.MaxResults > 100)) throw validation('MaxResults must be between 0 and 100');
    if (input.ClusterIdentifier && input.WorkgroupName) throw validation('Either ClusterIdentifier or WorkgroupName can be specified, not both');
    const max = input.MaxResults && input.MaxResults > 0 ? input.MaxResults : 100;
    // by default only finished statements are listed, as the service does
    const status = input.Status === 'ALL' ? undefined : (input.Status ?? 'FINISHED');
    const all = [...order]
      .reverse()
      .filter(
        (st) =>
          (!status || st.status === status) &&
          (!input.StatementName || (st.statementName ?? '').startsWith(input.StatementName)) &&
          (!input.ClusterIdentifier || st.clusterIdentifier === input.ClusterIdentifier) &&
          (!input.WorkgroupName || st.workgroupName === input.WorkgroupName) &&
          (!input.Database || st.database === input.Database),
      );
    const offset = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64url').toString('utf8')) || 0 : 0;
    const page = all.slice(offset, offset + max);
    return {
      Statements: page.map((st) => ({
        Id: st.id,
        QueryString: st.isBatch ? undefined : st.subs[0].sql,
        QueryStrings: st.isBatch ? st.subs.map((s) => s.sql) : undefined,
        SecretArn: st.secretArn,
        Status: st.status,
        StatementName: st.statementName,
        CreatedAt: epoch(st.createdAt),
        UpdatedAt: epoch(st.updatedAt),
        QueryParameters: st.parameters,
        IsBatchStatement: st.isBatch,
        ResultFormat: st.resultFormat,
        SessionId: st.session?.id,
      })),
      NextToken: offset + max < all.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined,
    };
  }

  // ------------------------------------------------------------------ HTTP

  function send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body, (_k, v) => (v === undefined ? undefined : v));
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(text);
  }

  function sendError(res: ServerResponse, e: ApiError): void {
    send(res, e.status, { __type: e.type, message: e.message, Message: e.message, ...e.extra });
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith('RedshiftData.') ? target.slice('RedshiftData.'.length) : '';
    if (req.method !== 'POST' || !op) throw new ApiError(400, 'UnknownOperationException', `unknown operation: ${target || '(no X-Amz-Target)'}`);
    stats.requests[op] = (stats.requests[op] ?? 0) + 1;
    const auth = String(req.headers.authorization ?? '');
    if (!auth) throw new ApiError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    const cred = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=[^,]+, ?Signature=[0-9a-f]+$/.exec(auth);
    if (!cred) throw new ApiError(403, 'IncompleteSignatureException', `Authorization header requires a SigV4 signature: ${auth.slice(0, 40)}…`);
    if (cred[4] !== 'redshift-data') throw new ApiError(403, 'InvalidSignatureException', `Credential should be scoped to correct service: 'redshift-data'`);
    if (!req.headers['x-amz-date']) throw new ApiError(403, 'IncompleteSignatureException', 'X-Amz-Date header is required');
    const ct = String(req.headers['content-type'] ?? '');
    if (!ct.startsWith('application/x-amz-json-1.1')) throw new ApiError(400, 'SerializationException', `unexpected Content-Type: ${ct}`);
    if (faults.throttle && faults.throttle > 0 && (!faults.throttleTargets || faults.throttleTargets.includes(op))) {
      faults.throttle--;
      stats.throttled++;
      throw new ApiError(400, 'ThrottlingException', 'Rate exceeded');
    }
    if (faults.internalErrors && faults.internalErrors > 0) {
      faults.internalErrors--;
      stats.internalErrors++;
      throw new ApiError(500, 'InternalServerException', 'Internal server error (injected)');
    }
    let input: Record<string, unknown>;
    try {
      input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    } catch {
      throw new ApiError(400, 'SerializationException', 'request body is not JSON');
    }
    switch (op) {
      case 'ExecuteStatement':
        return send(res, 200, await submit(input as ConnectionInput, [checkSql(input.Sql, 'Sql')], false, undefined));
      case 'BatchExecuteStatement': {
        const sqls = input.Sqls;
        if (!Array.isArray(sqls) || !sqls.length) throw validation('Sqls must contain at least one statement');
        if (sqls.length > MAX_BATCH) throw validation(`Sqls can contain at most ${MAX_BATCH} statements`);
        return send(res, 200, await submit(input as ConnectionInput, sqls.map((s, i) => checkSql(s, `Sqls[${i}]`)), true, input.ExecutionMode as string | undefined));
      }
      case 'DescribeStatement': {
        const wait = Number(input.WaitTimeSeconds ?? 0);
        if (wait > 0) {
          const { st } = findStatement(input.Id);
          await Promise.race([st.done, new Promise((r) => setTimeout(r, wait * 1000))]);
        }
        return send(res, 200, describe(input as { Id?: string }));
      }
      case 'GetStatementResult':
        return send(res, 200, await getResult(input as { Id?: string; NextToken?: string }));
      case 'CancelStatement':
        return send(res, 200, await cancel(input as { Id?: string }));
      case 'ListStatements':
        return send(res, 200, list(input as Parameters<typeof list>[0]));
      default:
        throw new ApiError(400, 'UnknownOperationException', `operation ${op} is not implemented by the Redshift stand-in`);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof ApiError) sendError(res, e);
      else sendError(res, new ApiError(500, 'InternalServerException', `stand-in error: ${(e as Error)?.stack ?? String(e)}`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    setFaults(f: StandinFaults) {
      faults = structuredFaults(f);
    },
    async close() {
      if (closing) return;
      closing = true;
      const running = [...statements.values()].filter((st) => st.status === 'STARTED' || st.status === 'PICKED' || st.status === 'SUBMITTED');
      for (const st of running) st.cancelRequested = true;
      const pids = running.filter((st) => st.status === 'STARTED' && st.pid).map((st) => st.pid);
      if (pids.length) await admin((c) => c.query('select pg_cancel_backend(pid) from unnest($1::int[]) pid', [pids])).catch(() => undefined);
      await Promise.race([Promise.allSettled([...statements.values()].map((s) => s.done)), new Promise((r) => setTimeout(r, 2000))]);
      for (const s of sessions.values()) closeSession(s, false);
      await Promise.allSettled([...openClients].map((c) => c.end()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
