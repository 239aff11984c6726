import { randomUUID } from 'node:crypto';
import type { Connection as SdkConnection, ConnectionOptions, RowStatement, SnowflakeError } from 'snowflake-sdk';
import { WarehouseError } from '../../errors.js';
import { dateTimeText } from '../../util/date-text.js';
import { OnDemandPool } from '../pool.js';
import { rowBatches, type SeedRows } from '../row-batches.js';
import type { Column, Connection, ExecResult, Relation } from '../types.js';
import { isFoldedName, type SnowflakeDialect } from './dialect.js';
import { insertBatches, withSeedCsv } from './seed-load.js';

type Sdk = typeof import('snowflake-sdk');

/**
 * The sdk, loaded on first use (it is large) and configured once: quiet, no
 * log file. Before it loads: no probing of cloud metadata addresses to detect
 * the platform for its telemetry (a stall where those addresses do not
 * answer), and no AWS SDK notice about future Node versions on every run.
 */
let sdkPromise: Promise<Sdk> | undefined;
export function loadSdk(): Promise<Sdk> {
  process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION ??= 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  sdkPromise ??= import('snowflake-sdk').then((m) => {
    const sdk = ((m as { default?: Sdk }).default ?? m) as Sdk;
    sdk.configure({ logLevel: 'OFF', additionalLogToConsole: false } as Parameters<Sdk['configure']>[0]);
    return sdk;
  });
  return sdkPromise;
}

/**
 * Error codes worth sending the same request again for: the service was busy
 * or unreachable (the driver's own retries gave up), or the session expired
 * and could not be renewed. The request id is kept, so a statement the service
 * did run is not run twice (it answers the retry with the first result).
 */
const TRANSIENT_CODES = new Set(['401001', '401002', '401003', '390112', '390114', '000605']);
const TRANSIENT_HTTP = new Set([429, 502, 503, 504]);

function isTransient(e: SnowflakeError): boolean {
  const status = (e as { response?: { status?: number } }).response?.status;
  if (status !== undefined && TRANSIENT_HTTP.has(status)) return true;
  return e.code !== undefined && TRANSIENT_CODES.has(String(e.code));
}

/** Snowflake's error as one line: code, SQL state and the message's lines joined. */
export function snowflakeErrorText(e: unknown): string {
  const err = e as Partial<SnowflakeError> & { message?: string };
  const message = String(err.message ?? e)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  if (err.code !== undefined && err.sqlState) return `Snowflake error ${err.code} (${err.sqlState}): ${message}`;
  if (err.code !== undefined) return `Snowflake error ${err.code}: ${message}`;
  return message;
}

/** A result column name as tsql reads it: a name Snowflake folded to upper case reads in lower case. */
function resultKey(name: string): string {
  return isFoldedName(name) ? name.toLowerCase() : name;
}

/** Rows with their names as the core expects them (see resultKey); the Dates of the `dates` columns as `YYYY-MM-DD`. */
function keyedRows(rows: Record<string, unknown>[], dates: Set<string>): Record<string, unknown>[] {
  return rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) out[resultKey(k)] = dates.has(k) && v instanceof Date ? (dateTimeText(v)?.slice(0, 10) ?? null) : v;
    return out;
  });
}

export interface SessionSettings {
  retries: number;
  /** seeds with more rows than this are PUT to the table stage and loaded with COPY INTO */
  putThresholdRows: number;
}

/** One snowflake-sdk connection (one Snowflake session). */
export class SnowflakeSession implements Connection {
  private readonly running = new Set<RowStatement>();
  alive = true;

  constructor(
    private readonly conn: SdkConnection,
    private readonly dialect: SnowflakeDialect,
    private readonly settings: SessionSettings,
  ) {}

  get busy(): boolean {
    return this.running.size > 0;
  }

  /** Runs one statement; transient failures are retried with backoff under the same request id. */
  private async send(sqlText: string, binds?: unknown[][] | unknown[]): Promise<{ stmt: RowStatement; rows: Record<string, unknown>[] }> {
    const requestId = randomUUID();
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.sendOnce(sqlText, binds, requestId);
      } catch (e) {
        const err = e as SnowflakeError;
        if (attempt >= this.settings.retries || !isTransient(err)) throw new Error(snowflakeErrorText(err));
        await new Promise((r) => setTimeout(r, Math.min(8000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2)));
      }
    }
  }

  private sendOnce(sqlText: string, binds: unknown[][] | unknown[] | undefined, requestId: string): Promise<{ stmt: RowStatement; rows: Record<string, unknown>[] }> {
    return new Promise((resolve, reject) => {
      const stmt = this.conn.execute({
        sqlText,
        requestId,
        binds: binds as never,
        complete: (err, s, rows) => {
          this.running.delete(stmt as RowStatement);
          if (err) reject(err);
          else resolve({ stmt: s as RowStatement, rows: (rows ?? []) as Record<string, unknown>[] });
        },
      }) as RowStatement;
      this.running.add(stmt);
    });
  }

  async execute(sql: string): Promise<ExecResult> {
    const { stmt, rows } = await this.send(sql);
    return { rowsAffected: rowsAffectedOf(stmt, rows) };
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    const { rows } = await this.send(sql);
    return keyedRows(rows, new Set());
  }

  /**
   * The rows as query() gives them, a DATE as its text (`2024-01-03`): the driver
   * makes it a Date at midnight UTC, which would print with a time.
   */
  async preview(sql: string): Promise<Record<string, unknown>[]> {
    const { stmt, rows } = await this.send(sql);
    return keyedRows(rows, new Set((stmt.getColumns() ?? []).filter((c) => c.isDate()).map((c) => c.getName())));
  }

  /**
   * Small seeds: INSERT … VALUES with array binds, in batches the service takes
   * inline. Large ones (more than seed_put_threshold_rows, known once that many
   * have been read): written to a local CSV as they come, PUT to the table's
   * stage (the driver streams and compresses it) and loaded with COPY INTO,
   * which purges the file.
   */
  async loadRows(rel: Relation, columns: Column[], rows: SeedRows): Promise<number> {
    const batches = rowBatches(rows)[Symbol.asyncIterator]();
    const head: unknown[][] = [];
    let more = true;
    while (more && head.length <= this.settings.putThresholdRows) {
      const next = await batches.next();
      if (next.done) more = false;
      else for (const row of next.value) head.push(row);
    }
    if (!head.length) return 0;
    if (more || head.length > this.settings.putThresholdRows) {
      const d = this.dialect;
      let written = head.length;
      const all = async function* () {
        yield head;
        for (let next = await batches.next(); !next.done; next = await batches.next()) {
          written += next.value.length;
          yield next.value;
        }
      };
      return withSeedCsv(rel.identifier, columns, all(), async (file) => {
        const stage = d.tableStage(rel);
        await this.send(`put 'file://${file.replace(/'/g, "\\'")}' ${stage} auto_compress = true overwrite = true`);
        const r = await this.execute(d.copyIntoFromStage(rel, columns, stage));
        return r.rowsAffected ?? written;
      });
    }
    const cols = columns.map((c) => this.dialect.quoteIdentifier(c.name)).join(', ');
    const marks = columns.map(() => '?').join(', ');
    const sql = `insert into ${this.dialect.renderRelation(rel)} (${cols}) values (${marks})`;
    let n = 0;
    for (const batch of insertBatches(head, columns.length)) {
      const r = await this.send(sql, batch);
      n += rowsAffectedOf(r.stmt, r.rows) ?? batch.length;
    }
    return n;
  }

  /** Asks the service to abort every statement running on this session (abort-request). */
  async cancelRunning(): Promise<void> {
    await Promise.all(
      [...this.running].map(
        (stmt) =>
          new Promise<void>((resolve) => {
            try {
              stmt.cancel(() => resolve());
            } catch {
              resolve();
            }
          }),
      ),
    );
  }

  async close(): Promise<void> {
    if (!this.alive) return;
    this.alive = false;
    await new Promise<void>((resolve) => this.conn.destroy(() => resolve()));
  }
}

/** COPY INTO a location or a table: the rows unloaded or loaded (one result row per file); DML: the driver's count. */
function rowsAffectedOf(stmt: RowStatement, rows: Record<string, unknown>[]): number | undefined {
  const col = rows.length ? Object.keys(rows[0]).find((k) => /^rows_(unloaded|loaded)$/i.test(k)) : undefined;
  if (col !== undefined) return rows.reduce((sum, r) => sum + Number(r[col] ?? 0), 0);
  const n = stmt.getNumUpdatedRows?.();
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

export interface PoolOptions {
  connection: ConnectionOptions;
  dialect: SnowflakeDialect;
  size: number;
  settings: SessionSettings;
  /** what to say where the connection fails: account and user, never a credential */
  describe: () => string;
  /** statements run once on every new session (e.g. the query tag) */
  setup: string[];
  /** secrets to mask from any error text */
  secrets: string[];
}

/** Up to `size` sessions, opened on demand and reused (OnDemandPool); cancelAll reaches every running statement. */
export class SnowflakePool {
  private readonly pool: OnDemandPool<SnowflakeSession>;

  constructor(private readonly options: PoolOptions) {
    this.pool = new OnDemandPool(options.size, () => this.open(), 'snowflake');
  }

  acquire(): Promise<SnowflakeSession> {
    return this.pool.acquire();
  }

  release(session: SnowflakeSession): void {
    this.pool.release(session);
  }

  private async open(): Promise<SnowflakeSession> {
    const session = new SnowflakeSession(await this.connect(), this.options.dialect, this.options.settings);
    try {
      for (const sql of this.options.setup) await session.execute(sql);
    } catch (e) {
      await session.close();
      throw new WarehouseError(`cannot set up the snowflake session: ${this.mask((e as Error).message)}`);
    }
    return session;
  }

  private mask(text: string): string {
    let out = text;
    for (const s of this.options.secrets) if (s) out = out.split(s).join('********');
    return out;
  }

  /** Logs in; the driver retries transient failures itself (connect_retries). */
  private async connect(): Promise<SdkConnection> {
    const sdk = await loadSdk();
    const conn = sdk.createConnection(this.options.connection);
    try {
      await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
      return conn;
    } catch (e) {
      conn.destroy(() => undefined);
      throw new WarehouseError(`cannot connect to snowflake (${this.options.describe()}): ${this.mask(snowflakeErrorText(e))}`);
    }
  }

  async cancelAll(): Promise<void> {
    await Promise.all(this.pool.sessions.filter((s) => s.busy && s.alive).map((s) => s.cancelRunning()));
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}
