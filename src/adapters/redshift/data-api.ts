import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  ListStatementsCommand,
  RedshiftDataClient,
  type BatchExecuteStatementCommandInput,
  type BatchExecuteStatementCommandOutput,
  type CancelStatementCommandOutput,
  type ColumnMetadata,
  type DescribeStatementCommandOutput,
  type ExecuteStatementCommandInput,
  type ExecuteStatementCommandOutput,
  type GetStatementResultCommandOutput,
  type ListStatementsCommandInput,
  type ListStatementsCommandOutput,
  type SqlParameter,
} from '@aws-sdk/client-redshift-data';
import { WarehouseError } from '../../errors.js';
import { rowBatches, type SeedRows } from '../row-batches.js';
import type { Column, Connection, ExecResult, Relation } from '../types.js';
import { recordToRow } from './data-api-values.js';
import type { RedshiftDialect } from './dialect.js';
import { DATA_API_LIMITS, insertBatches } from './seed-insert.js';

/**
 * The Redshift Data API as a Connection: each statement is an
 * ExecuteStatement, polled with DescribeStatement until it ends, its rows read
 * with GetStatementResult. The first statement of a connection opens a
 * session (SessionKeepAliveSeconds); the following ones name it (SessionId,
 * with no cluster, workgroup, database or credentials: the session has
 * them), so BEGIN … COMMIT and temporary tables span calls like on one
 * database connection.
 */

/** The calls tsql makes (an interface so that tests can stand in for AWS). */
export interface DataApiCalls {
  executeStatement(input: ExecuteStatementCommandInput): Promise<ExecuteStatementCommandOutput>;
  batchExecuteStatement(input: BatchExecuteStatementCommandInput): Promise<BatchExecuteStatementCommandOutput>;
  describeStatement(id: string): Promise<DescribeStatementCommandOutput>;
  getStatementResult(id: string, nextToken?: string): Promise<GetStatementResultCommandOutput>;
  cancelStatement(id: string): Promise<CancelStatementCommandOutput>;
  listStatements(input: ListStatementsCommandInput): Promise<ListStatementsCommandOutput>;
}

export interface DataApiClientConfig {
  region?: string;
  /** Another endpoint than AWS's (a local stand-in, a VPC endpoint). */
  endpoint?: string;
  /** Attempts per call by the SDK's own retry (throttling, 5xx, network errors). */
  maxAttempts: number;
}

/** The SDK client behind DataApiCalls. Credentials: the AWS default chain (env, profile, role). */
export function sdkCalls(config: DataApiClientConfig): DataApiCalls & { destroy(): void } {
  // tsql supports Node 20 and pins the SDK in its lock file: the SDK's notice that its
  // releases after January 2027 need Node 22 is not for tsql's users (the user's own setting wins).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new RedshiftDataClient({
    region: config.region,
    endpoint: config.endpoint,
    maxAttempts: config.maxAttempts,
  });
  return {
    executeStatement: (input) => client.send(new ExecuteStatementCommand(input)),
    batchExecuteStatement: (input) => client.send(new BatchExecuteStatementCommand(input)),
    describeStatement: (id) => client.send(new DescribeStatementCommand({ Id: id })),
    getStatementResult: (id, nextToken) => client.send(new GetStatementResultCommand({ Id: id, NextToken: nextToken })),
    cancelStatement: (id) => client.send(new CancelStatementCommand({ Id: id })),
    listStatements: (input) => client.send(new ListStatementsCommand(input)),
    destroy: () => client.destroy(),
  };
}

/** Where statements run and as whom (sent with a connection's first statement only). */
export interface DataApiTarget {
  clusterIdentifier?: string;
  workgroupName?: string;
  database: string;
  dbUser?: string;
  secretArn?: string;
}

export interface DataApiSettings {
  /** first DescribeStatement wait, doubled each time up to pollMaxMs */
  pollInitialMs: number;
  pollMaxMs: number;
  /** how long an idle session stays open (the API's maximum is 86400); 0: no session, each statement on its own */
  sessionKeepAliveSeconds: number;
  /** attempts when the API refuses a statement for too many active statements or sessions */
  busyAttempts: number;
}

export const DEFAULT_DATA_API_SETTINGS: DataApiSettings = { pollInitialMs: 50, pollMaxMs: 2000, sessionKeepAliveSeconds: 300, busyAttempts: 8 };

/**
 * Refusals the SDK does not retry (they are 400s) but that pass: the cluster's
 * limits on running statements, sessions and waiting requests.
 * ThrottlingException and 5xx are retried by the SDK itself (maxAttempts).
 */
const BUSY_ERRORS = new Set(['ActiveStatementsExceededException', 'ActiveSessionsExceededException', 'ActiveWaitingRequestsExceededException']);

/** Errors that mean tsql cannot use the warehouse at all (not a failed statement). */
const ACCESS_ERRORS = new Set([
  'CredentialsProviderError',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'ResourceNotFoundException',
  'DatabaseConnectionException',
]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function errorName(e: unknown): string {
  return String((e as { name?: string })?.name ?? '');
}

function errorMessage(e: unknown): string {
  const err = e as { message?: string; code?: string };
  return String(err?.message || err?.code || e);
}

/** The API no longer knows the session (it timed out or was closed). */
function isSessionGone(e: unknown): boolean {
  return (errorName(e) === 'ValidationException' || errorName(e) === 'ResourceNotFoundException') && /session/i.test(errorMessage(e));
}

/** The session ended (it timed out, or was closed) inside a transaction: what the transaction held is gone with it. */
export class SessionGoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionGoneError';
  }
}

/** A cancelled statement (CancelStatement, Ctrl-C). */
export class StatementCancelledError extends Error {
  constructor(readonly statementId: string) {
    super('the statement was cancelled');
    this.name = 'StatementCancelledError';
  }
}

/** Statements in flight, shared by a pool's sessions so that cancelAll reaches every one. */
export class InFlight {
  private readonly ids = new Set<string>();
  add(id: string): void {
    this.ids.add(id);
  }
  delete(id: string): void {
    this.ids.delete(id);
  }
  list(): string[] {
    return [...this.ids];
  }
}

/** What goes with a statement to say which session runs it. */
type SessionFields = Pick<ExecuteStatementCommandInput, 'SessionId' | 'ClusterIdentifier' | 'WorkgroupName' | 'Database' | 'DbUser' | 'SecretArn' | 'SessionKeepAliveSeconds' | 'StatementName'>;

/** How a connection names its statements in errors (never credentials). */
export type Describe = () => string;

/** One Data API session: the Connection a materialization gets. */
export class DataApiSession implements Connection {
  private sessionId: string | undefined;
  /** between BEGIN and COMMIT/ROLLBACK: the session must not be replaced then */
  private inTransaction = false;

  constructor(
    private readonly calls: DataApiCalls,
    private readonly target: DataApiTarget,
    private readonly settings: DataApiSettings,
    private readonly dialect: RedshiftDialect,
    private readonly inFlight: InFlight = new InFlight(),
    private readonly describe: Describe = () => 'redshift (data api)',
    /** the StatementName of every statement (the run's name, which a later run lists its leftovers by) */
    private readonly name: () => string | undefined = () => undefined,
  ) {}

  get session(): string | undefined {
    return this.sessionId;
  }

  async execute(sql: string): Promise<ExecResult> {
    const d = await this.run(sql);
    return { rowsAffected: rowCount(d.ResultRows) };
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    const d = await this.run(sql);
    return d.HasResultSet ? this.rows(d.Id) : [];
  }

  /** BatchExecuteStatement: at most 40 statements, one transaction. */
  async executeBatch(sqls: string[]): Promise<ExecResult[]> {
    if (!sqls.length) return [];
    if (sqls.length > 40) throw new Error(`the Data API runs at most 40 statements in one transaction (BatchExecuteStatement), not ${sqls.length}`);
    if (this.inTransaction) throw new Error('a batch cannot run inside an open transaction (BEGIN … COMMIT) on the Data API');
    const id = await this.submit((session) => this.calls.batchExecuteStatement({ Sqls: sqls, ...session }));
    const d = await this.wait(id, sqls.join(';\n'));
    const subs = d.SubStatements ?? [];
    return sqls.map((_, i) => ({ rowsAffected: rowCount(subs[i]?.ResultRows) }));
  }

  /** Multi-row INSERTs with named parameters, each under the API's 100 kB limit. */
  async loadRows(rel: Relation, columns: Column[], rows: SeedRows): Promise<number> {
    let loaded = 0;
    for await (const rowsRead of rowBatches(rows)) {
      for (const batch of insertBatches(this.dialect, rel, columns, rowsRead, 'named', DATA_API_LIMITS)) {
        await this.run(batch.sql, batch.params as SqlParameter[]);
        loaded += batch.rows;
      }
    }
    return loaded;
  }

  /** Runs one statement to its end; FAILED throws the server's error text. */
  private async run(sql: string, parameters?: SqlParameter[]): Promise<DescribeStatementCommandOutput & { Id: string }> {
    const params = parameters?.length ? { Parameters: parameters } : {};
    const id = await this.submit((session) => this.calls.executeStatement({ Sql: sql, ...params, ...session }));
    const d = await this.wait(id, sql);
    this.trackTransaction(sql);
    return d;
  }

  /**
   * Sends a statement: the session's id once there is one, otherwise the
   * target with SessionKeepAliveSeconds (the response names the new session).
   * Retries while the cluster is busy, and reopens a session that expired
   * between statements (outside a transaction, nothing is lost).
   */
  private async submit(send: (session: SessionFields) => Promise<{ Id?: string; SessionId?: string }>): Promise<string> {
    let busy = 0;
    let reopened = false;
    for (;;) {
      const name = this.name();
      const session: SessionFields = { ...(this.sessionId ? { SessionId: this.sessionId } : this.openSession()), ...(name ? { StatementName: name } : {}) };
      try {
        const out = await send(session);
        if (!this.sessionId && out.SessionId && this.settings.sessionKeepAliveSeconds > 0) this.sessionId = out.SessionId;
        if (!out.Id) throw new Error('the Data API returned no statement id');
        return out.Id;
      } catch (e) {
        if (BUSY_ERRORS.has(errorName(e)) && ++busy < this.settings.busyAttempts) {
          await sleep(Math.min(5000, 250 * 2 ** (busy - 1)) * (0.5 + Math.random() / 2));
          continue;
        }
        if (this.sessionId && !this.inTransaction && !reopened && isSessionGone(e)) {
          this.sessionId = undefined;
          reopened = true;
          continue;
        }
        if (this.sessionId && this.inTransaction && isSessionGone(e)) {
          this.sessionId = undefined;
          this.inTransaction = false;
          throw new SessionGoneError(`the Data API session ended inside a transaction: ${errorMessage(e)}`);
        }
        throw this.apiError(e);
      }
    }
  }

  private openSession(): SessionFields {
    const t = this.target;
    const fields: SessionFields = { Database: t.database };
    if (this.settings.sessionKeepAliveSeconds > 0) fields.SessionKeepAliveSeconds = this.settings.sessionKeepAliveSeconds;
    if (t.clusterIdentifier) fields.ClusterIdentifier = t.clusterIdentifier;
    if (t.workgroupName) fields.WorkgroupName = t.workgroupName;
    if (t.dbUser) fields.DbUser = t.dbUser;
    if (t.secretArn) fields.SecretArn = t.secretArn;
    return fields;
  }

  /** Polls DescribeStatement with exponential backoff until FINISHED, FAILED or ABORTED. */
  private async wait(id: string, sql: string): Promise<DescribeStatementCommandOutput & { Id: string }> {
    this.inFlight.add(id);
    try {
      let delay = this.settings.pollInitialMs;
      for (;;) {
        let d: DescribeStatementCommandOutput;
        try {
          d = await this.calls.describeStatement(id);
        } catch (e) {
          throw this.apiError(e);
        }
        switch (d.Status) {
          case 'FINISHED':
            return { ...d, Id: id };
          case 'FAILED':
            throw new Error(failureText(d) || `the statement failed: ${firstLine(sql)}`);
          case 'ABORTED':
            throw new StatementCancelledError(id);
          default:
            await sleep(delay);
            delay = Math.min(delay * 2, this.settings.pollMaxMs);
        }
      }
    } finally {
      this.inFlight.delete(id);
    }
  }

  /** Every page of the statement's result as row objects. */
  private async rows(id: string): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let columns: ColumnMetadata[] = [];
    let token: string | undefined;
    do {
      let page: GetStatementResultCommandOutput;
      try {
        page = await this.calls.getStatementResult(id, token);
      } catch (e) {
        throw this.apiError(e);
      }
      if (page.ColumnMetadata?.length) columns = page.ColumnMetadata;
      for (const record of page.Records ?? []) out.push(recordToRow(record, columns));
      token = page.NextToken || undefined;
    } while (token);
    return out;
  }

  private trackTransaction(sql: string): void {
    const s = sql.trimStart().toLowerCase();
    if (/^(begin|start\s+transaction)\b/.test(s)) this.inTransaction = true;
    else if (/^(commit|end|rollback|abort)\b/.test(s)) this.inTransaction = false;
  }

  /** An API refusal as an error: WarehouseError when the warehouse cannot be used at all. */
  private apiError(e: unknown): Error {
    if (e instanceof StatementCancelledError) return e;
    const name = errorName(e);
    const text = `${name && name !== 'Error' ? `${name}: ` : ''}${errorMessage(e)}`;
    if (ACCESS_ERRORS.has(name) || /region is missing|ENOTFOUND|ECONNREFUSED|EAI_AGAIN/i.test(errorMessage(e))) {
      return new WarehouseError(`cannot run statements on ${this.describe()}: ${text}`);
    }
    return new Error(`Redshift Data API ${text}`);
  }
}

function rowCount(n: number | undefined): number | undefined {
  return n === undefined || n < 0 ? undefined : n;
}

function failureText(d: DescribeStatementCommandOutput): string {
  const failed = d.SubStatements?.find((s) => s.Status === 'FAILED' && s.Error);
  return failed?.Error ?? d.Error ?? '';
}

function firstLine(sql: string): string {
  return sql.trim().split('\n')[0].slice(0, 200);
}

/** Up to `size` sessions, opened on first use and reused; statements cancelled together. */
export class DataApiPool {
  private readonly idle: DataApiSession[] = [];
  private readonly waiters: Array<(s: DataApiSession) => void> = [];
  private created = 0;
  readonly inFlight = new InFlight();

  constructor(
    private readonly calls: DataApiCalls,
    private readonly size: number,
    private readonly make: (inFlight: InFlight) => DataApiSession,
  ) {}

  async acquire(): Promise<DataApiSession> {
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.created < Math.max(1, this.size)) {
      this.created++;
      return this.make(this.inFlight);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(session: DataApiSession): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(session);
    else this.idle.push(session);
  }

  /** CancelStatement for every statement still running; best effort. */
  async cancelAll(): Promise<void> {
    await Promise.all(this.inFlight.list().map((id) => this.calls.cancelStatement(id).catch(() => undefined)));
  }
}
