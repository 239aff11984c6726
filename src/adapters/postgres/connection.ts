import { rmSync } from 'node:fs';
import pg from 'pg';
import { WarehouseError } from '../../errors.js';
import { OnDemandPool } from '../pool.js';
import type { SeedRows } from '../row-batches.js';
import type { Column, Connection, ExecResult, Relation } from '../types.js';
import { sendCancelRequest, type BackendKey } from './cancel.js';
import { connectWithRetries } from './connect-retry.js';
import { copyOutToFile, copyRowsIn } from './copy.js';
import type { PostgresDialect } from './dialect.js';

const { builtins } = pg.types;
const identity = (v: string) => v;

/**
 * Result values as the core expects them: int8 (count(*), sum of integers) as a
 * number when it fits one exactly, else its text; numeric stays text (exact);
 * date and timestamp stay their text ('2024-01-03', '2024-01-03 10:00:00'),
 * not a Date shifted by the client's time zone. Everything else: pg's parsers.
 */
export const PG_RESULT_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === builtins.INT8) {
        return (v: string) => {
          const n = Number(v);
          return Number.isSafeInteger(n) ? n : v;
        };
      }
      if (oid === builtins.DATE || oid === builtins.TIMESTAMP) return identity;
    }
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * `tsql show`'s values, as psql prints them: besides date and timestamp,
 * timestamptz, timetz and interval stay the server's text
 * ('2024-01-03 10:00:00+00', '3 days'), in the session's time zone.
 */
const PREVIEW_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary' && (oid === builtins.TIMESTAMPTZ || oid === builtins.TIMETZ || oid === builtins.INTERVAL)) return identity;
    return PG_RESULT_TYPES.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** The message of any error, AggregateErrors (one per address tried) included. */
export function errorText(e: unknown): string {
  if (e instanceof AggregateError && !e.message) return e.errors.map((x) => errorText(x)).join('; ');
  const err = e as { message?: string; code?: string };
  return String(err?.message || err?.code || e);
}

/** SQLSTATE classes 08 (connection exception) and 57P (the server ended the session: shutdown, terminated, database dropped), or the socket going away. */
function isConnectionLoss(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  if (typeof err?.code === 'string' && (/^08/.test(err.code) || /^57P/.test(err.code) || err.code === 'ECONNRESET' || err.code === 'EPIPE')) return true;
  return /Connection terminated|connection ended|Client has encountered a connection error/i.test(err?.message ?? '');
}

/**
 * One server connection: sends statements, reads rows, and moves bulk data
 * with COPY. A subclass (another engine on the same protocol) overrides what
 * its server does differently (loadRows, unloadToFile).
 */
export class PgSession implements Connection {
  private running = 0;
  private lost: Error | undefined;

  constructor(
    readonly client: pg.Client,
    protected readonly dialect: PostgresDialect,
  ) {
    // An idle connection the server closes emits 'error': note it, never crash.
    client.on('error', (e) => {
      this.lost ??= e;
    });
    client.on('end', () => {
      this.lost ??= new Error('the connection was closed');
    });
  }

  /** False once the connection failed or was closed: the pool then drops it. */
  get alive(): boolean {
    return !this.lost;
  }

  get busy(): boolean {
    return this.running > 0;
  }

  /** What a CancelRequest for this connection's backend needs. */
  get backendKey(): BackendKey | undefined {
    const c = this.client as unknown as { processID: number | null; secretKey: number | null };
    return c.processID === null || c.secretKey === null ? undefined : { processId: c.processID, secretKey: c.secretKey };
  }

  /** Runs one round trip, turning a dropped connection into a clear error. */
  protected async send<T>(fn: () => Promise<T>): Promise<T> {
    if (this.lost) throw this.connectionLost(this.lost, false);
    this.running++;
    try {
      return await fn();
    } catch (e) {
      if (isConnectionLoss(e)) {
        this.lost ??= e as Error;
        throw this.connectionLost(e, true);
      }
      throw e;
    } finally {
      this.running--;
    }
  }

  protected connectionLost(cause: unknown, during: boolean): Error {
    const what = during ? 'while running a statement' : 'before the statement was sent';
    return new Error(`the connection to the ${this.dialect.type} server was lost ${what}: ${errorText(cause)}`);
  }

  /** Every statement's result (a text with several statements gives several). */
  private async results(sql: string | pg.QueryConfig): Promise<pg.QueryResult[]> {
    const r = (await this.send(() => this.client.query(sql))) as pg.QueryResult | pg.QueryResult[];
    return Array.isArray(r) ? r : [r];
  }

  async execute(sql: string): Promise<ExecResult> {
    const last = (await this.results(sql)).pop();
    return { rowsAffected: last?.rowCount ?? undefined };
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.results(sql)).pop()?.rows ?? [];
  }

  async preview(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.results({ text: sql, types: PREVIEW_TYPES })).pop()?.rows ?? [];
  }

  /** COPY … FROM STDIN as CSV: values never touch the SQL text. */
  async loadRows(rel: Relation, columns: Column[], rows: SeedRows): Promise<number> {
    const statement = this.dialect.copyFromStdin(rel, columns.map((c) => c.name));
    return this.send(() => copyRowsIn(this.client, statement, rows, columns.length));
  }

  /** COPY (query) TO STDOUT as CSV with a header, streamed into `file`; `onRows` hears the rows written so far. */
  async unloadToFile(sql: string, file: string, format: 'csv' | 'parquet', options: Record<string, string | number | boolean>, onRows?: (rows: number) => void): Promise<number> {
    if (format !== 'csv') {
      throw new Error(`${this.dialect.type} unloads write csv only (rows are streamed through the client); use format 'csv', or an engine that writes ${format} itself (duckdb)`);
    }
    const statement = this.dialect.copyToStdout(sql, options);
    try {
      // the header is a line too (unless options say header false)
      const header = Object.entries(options).find(([k]) => k.toLowerCase() === 'header')?.[1] !== false ? 1 : 0;
      const onLines = onRows && ((lines: number) => onRows(Math.max(0, lines - header)));
      return await this.send(() => copyOutToFile(this.client, statement, file, onLines));
    } catch (e) {
      rmSync(file, { force: true });
      throw e;
    }
  }

  async close(): Promise<void> {
    this.lost ??= new Error('the connection was closed');
    await this.client.end().catch(() => undefined);
  }
}

export interface PgPoolOptions {
  /** Connection settings for pg (host, port, user, password, database, ssl, timeouts). */
  client: pg.ClientConfig;
  dialect: PostgresDialect;
  /** Connections at most (the run's threads). */
  size: number;
  /** sslmode=prefer: when the server does not offer SSL, connect again without it. */
  sslFallback?: boolean;
  /** Tries again this many times when opening a connection fails in a way that may pass (connect-retry.ts). */
  retries?: number;
  /** Runs once on every new connection (e.g. SET ROLE). */
  setup?: (session: PgSession) => Promise<void>;
  /** Makes the session for a connected client (another engine: its subclass). */
  createSession?: (client: pg.Client, dialect: PostgresDialect) => PgSession;
}

/**
 * Up to `size` connections, opened on demand and reused (OnDemandPool); each
 * runs `setup` once. cancelAll reaches the statements running on every session.
 */
export class PgPool {
  private readonly pool: OnDemandPool<PgSession>;
  private sslRefused = false;

  constructor(private readonly options: PgPoolOptions) {
    this.pool = new OnDemandPool(options.size, () => this.open(), options.dialect.type);
  }

  acquire(): Promise<PgSession> {
    return this.pool.acquire();
  }

  release(session: PgSession): void {
    this.pool.release(session);
  }

  private async open(): Promise<PgSession> {
    const client = await this.connect();
    const session = this.options.createSession?.(client, this.options.dialect) ?? new PgSession(client, this.options.dialect);
    try {
      await this.options.setup?.(session);
    } catch (e) {
      await session.close();
      throw new WarehouseError(`cannot set up the ${this.options.dialect.type} session: ${errorText(e)}`);
    }
    return session;
  }

  private async connect(): Promise<pg.Client> {
    const { client, sslRefused } = await connectPgClient({ ...this.options.client, types: PG_RESULT_TYPES, ...(this.sslRefused ? { ssl: false } : {}) }, { engine: this.options.dialect.type, sslFallback: this.options.sslFallback, retries: this.options.retries });
    if (sslRefused) this.sslRefused = true;
    return client;
  }

  /** Sends a CancelRequest for every statement running now; resolves when all are sent. */
  async cancelAll(): Promise<void> {
    const host = this.options.client.host ?? 'localhost';
    const port = this.options.client.port ?? 5432;
    const keys = this.pool.sessions.filter((s) => s.busy && s.alive).map((s) => s.backendKey);
    await Promise.all(keys.filter((k): k is BackendKey => !!k).map((k) => sendCancelRequest(host, port, k)));
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * Connects a pg client. With `sslFallback` (sslmode=prefer), a server that
 * offers no SSL is connected to again without it (`sslRefused`). A failure
 * that may pass (connect-retry.ts) is tried again up to `retries` times. A
 * failure says where and as whom, and the server's reason; never the password.
 */
export async function connectPgClient(config: pg.ClientConfig, o: { engine: string; sslFallback?: boolean; retries?: number }): Promise<{ client: pg.Client; sslRefused: boolean }> {
  try {
    return await connectWithRetries(() => connectOnce(config, o.sslFallback), o.retries ?? 0);
  } catch (e) {
    throw new WarehouseError(connectError(o.engine, config, e));
  }
}

async function connectOnce(config: pg.ClientConfig, sslFallback: boolean | undefined): Promise<{ client: pg.Client; sslRefused: boolean }> {
  const client = new pg.Client(config);
  // errors while connecting reject connect(); the session listens from then on
  client.on('error', () => undefined);
  try {
    await client.connect();
    return { client, sslRefused: false };
  } catch (e) {
    await client.end().catch(() => undefined);
    if (sslFallback && config.ssl && /does not support SSL/i.test(errorText(e))) {
      return { client: (await connectOnce({ ...config, ssl: false }, false)).client, sslRefused: true };
    }
    throw e;
  }
}

/** Where and as whom, and the server's reason; never the password. */
export function connectError(engine: string, c: pg.ClientConfig, e: unknown): string {
  let reason = errorText(e);
  if (typeof c.password === 'string' && c.password) reason = reason.split(c.password).join('********');
  return `cannot connect to ${engine} at ${c.host ?? 'localhost'}:${c.port ?? 5432} (database ${c.database ?? '?'}, user ${c.user ?? '?'}): ${reason}`;
}
