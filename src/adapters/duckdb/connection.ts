import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { rowBatches, type SeedRows } from '../row-batches.js';
import type { Column, Connection, ExecResult, Relation } from '../types.js';

/** DuckDB's date, time, timestamp and interval types, by name (the driver is loaded lazily: its DuckDBTypeId is not imported here). */
const TEMPORAL_TYPE = /^(DATE|TIME|TIME WITH TIME ZONE|TIMESTAMP|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|TIMESTAMP WITH TIME ZONE|INTERVAL)$/;
/** DuckDBTypeId's LIST, STRUCT, MAP, UNION and ARRAY */
const NESTED_TYPE = [24, 25, 26, 28, 33];

/**
 * One DuckDB connection: sends statements, reads rows, appends rows with bound
 * values. Once closed it refuses every call: using a closed connection (or one
 * whose database is closed) from DuckDB's native code would crash the process.
 */
export class DuckDBSession implements Connection {
  /** statements sent and appenders in use, not yet finished (an interrupt waits for them before anything closes) */
  private readonly running = new Set<Promise<unknown>>();
  /** of those, the clean-up statements (see cleanup): never interrupted */
  private readonly cleaning = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly conn: DuckDBConnection) {}

  private track<T>(start: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the DuckDB connection is closed (the run is stopping)'));
    const p = start();
    this.running.add(p);
    const done = () => void this.running.delete(p);
    p.then(done, done);
    return p;
  }

  get busy(): boolean {
    return this.running.size > 0;
  }

  /** Running something an interrupt should stop (not only clean-up). */
  get interruptible(): boolean {
    return this.running.size > this.cleaning.size;
  }

  /** Resolves once every statement sent on this connection has finished (succeeded or failed). */
  async settled(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  async execute(sql: string): Promise<ExecResult> {
    const result = await this.track(() => this.conn.run(sql));
    return { rowsAffected: Number(result.rowsChanged) };
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.track(() => this.conn.runAndReadAll(sql));
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  /**
   * Rows as DuckDB's own client shows them (`tsql show`): a date, time,
   * timestamp or interval as DuckDB's text (`2024-01-03`, `2024-01-03 10:00:00`,
   * `3 days`), a list, struct or map as JSON with those inside as text; numbers
   * and everything else as query() gives them.
   */
  async preview(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.track(() => this.conn.runAndReadAll(sql));
    const names = reader.columnNames();
    const kinds = reader.columnTypes().map((t) => (TEMPORAL_TYPE.test(t.toString()) ? 'text' : NESTED_TYPE.includes(t.typeId) ? 'json' : 'js'));
    const js = reader.getRowObjectsJS();
    if (!kinds.some((k) => k !== 'js')) return js as Record<string, unknown>[];
    const raw = reader.getRowObjects();
    const json = reader.getRowObjectsJson();
    return js.map((row, i) => {
      const out: Record<string, unknown> = { ...row };
      names.forEach((name, c) => {
        if (kinds[c] === 'text') out[name] = raw[i]![name] === null ? null : String(raw[i]![name]);
        else if (kinds[c] === 'json') out[name] = json[i]![name];
      });
      return out;
    });
  }

  /**
   * Appends rows as text; DuckDB's appender casts each value to the column's
   * type (a wide decimal's short values go as doubles, see appendWideDecimal).
   * Batches are appended as they come (between them other work, and Ctrl-C,
   * get their turn); the connection counts as busy until the appender is
   * closed, so nothing closes it underneath.
   */
  loadRows(rel: Relation, columns: Column[], rows: SeedRows): Promise<number> {
    return this.track(async () => {
      const appender = await this.conn.createAppender(rel.identifier, rel.schema, rel.database ?? null);
      const appendText = (text: string) => appender.appendVarchar(text);
      const append = columns.map((c) => {
        const scale = wideDecimalScale(c.dataType);
        return scale === undefined ? appendText : (text: string) => appendWideDecimal(appender, text, scale);
      });
      let n = 0;
      let failed = true;
      try {
        for await (const batch of rowBatches(rows)) {
          for (const row of batch) {
            for (let i = 0; i < columns.length; i++) {
              const v = row[i];
              if (v === null || v === undefined) appender.appendNull();
              else append[i](typeof v === 'string' ? v : String(v));
            }
            appender.endRow();
          }
          n += batch.length;
        }
        appender.flushSync();
        failed = false;
      } finally {
        try {
          appender.closeSync();
        } catch (e) {
          // closing flushes what is left: after a failure that error is not the one to report
          if (!failed) throw e;
        }
      }
      return n;
    });
  }

  /**
   * Drops what a failed or stopped node staged. While the run stops, the pool
   * interrupts every connection that still runs a statement, again and again
   * until all have stopped; a clean-up statement is left to finish, or the
   * staged relation would stay behind (see DuckDBPool.interruptAll).
   */
  async cleanup(sql: string): Promise<void> {
    const p = this.track(() => this.conn.run(sql));
    this.cleaning.add(p);
    const done = () => void this.cleaning.delete(p);
    p.then(done, done);
    await p;
  }

  /** Interrupts the statement running on this connection, if any. */
  interrupt(): void {
    this.conn.interrupt();
  }

  close(): void {
    this.closed = true;
    this.conn.closeSync();
  }
}

/** A fixed-size pool of connections to one in-process database. */
export class DuckDBPool {
  private readonly idle: DuckDBSession[] = [];
  private readonly all: DuckDBSession[] = [];
  private readonly waiters: Array<(s: DuckDBSession) => void> = [];

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly size: number,
    private readonly init: (s: DuckDBSession) => Promise<void>,
  ) {}

  private closed = false;

  async acquire(): Promise<DuckDBSession> {
    if (this.closed) throw new Error('the DuckDB database is closed (the run is stopping)');
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.all.length < this.size) {
      const session = new DuckDBSession(await this.instance.connect());
      this.all.push(session);
      await this.init(session);
      return session;
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(session: DuckDBSession): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(session);
    else this.idle.push(session);
  }

  /**
   * Interrupts every running statement and waits until they have stopped
   * (interrupting again while any runs: one may have started meanwhile), at
   * most `timeoutMs`. Closing a connection, or exiting, while DuckDB still
   * runs a statement blocks in its thread pool forever. Resolves true when
   * everything stopped.
   */
  async interruptAll(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.all.some((s) => s.busy)) {
      // clean-up statements finish (a staged relation dropped); everything else is interrupted
      for (const s of this.all) if (s.interruptible) s.interrupt();
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await Promise.race([Promise.all(this.all.map((s) => s.settled())), new Promise((r) => setTimeout(r, Math.min(left, 200)))]);
    }
    return true;
  }

  get busy(): boolean {
    return this.all.some((s) => s.busy);
  }

  /**
   * Closes every connection and the database itself. The instance must be
   * closed too: two open instances of one file in a process corrupt it.
   */
  closeAll(): void {
    // a connection still running a statement cannot be closed (see interruptAll): leave it to the process's end
    if (this.busy) return;
    this.closed = true;
    for (const s of this.all) s.close();
    this.all.length = 0;
    this.idle.length = 0;
    this.instance.closeSync();
  }
}

/**
 * The scale of a decimal wider than 18 digits (DECIMAL(38,2), as a big seed's
 * decimal columns get): DuckDB stores those as 128-bit integers, and its cast
 * from text to them costs ~4 µs a value (two thirds of a big seed's load
 * time, bench/README.md); undefined for any other type.
 */
export function wideDecimalScale(dataType: string): number | undefined {
  const m = /^\s*(?:decimal|numeric)\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*$/i.exec(dataType);
  return m && Number(m[1]) > 18 ? Number(m[2]) : undefined;
}

const PLAIN_DECIMAL = /^-?(\d+)(?:\.(\d+))?$/;

/**
 * A wide decimal's value: as a double when that is exact, else as text. A
 * plain decimal whose integer digits (leading zeros counted: seeds' values
 * come without them) and the column's scale together are at most 15 is the
 * double nearest to it within a tenth of the scale's last digit (doubles
 * carry 15.9 significant digits), so DuckDB's cast of that double, rounding
 * to the scale, gives back exactly the written value; the cast from a double
 * costs a hundredth of the cast from text.
 */
function appendWideDecimal(appender: { appendDouble(v: number): void; appendVarchar(v: string): void }, text: string, scale: number): void {
  const m = PLAIN_DECIMAL.exec(text);
  if (m && (m[2]?.length ?? 0) <= scale && m[1].length + scale <= 15) appender.appendDouble(Number(text));
  else appender.appendVarchar(text);
}
