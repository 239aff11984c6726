import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Column, Connection, ExecResult, Relation } from '../types.js';

/** One DuckDB connection: sends statements, reads rows, appends rows with bound values. */
export class DuckDBSession implements Connection {
  /** statements sent and not yet finished (an interrupt waits for them before anything closes) */
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly conn: DuckDBConnection) {}

  private track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    const done = () => void this.running.delete(p);
    p.then(done, done);
    return p;
  }

  get busy(): boolean {
    return this.running.size > 0;
  }

  /** Resolves once every statement sent on this connection has finished (succeeded or failed). */
  async settled(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  async execute(sql: string): Promise<ExecResult> {
    const result = await this.track(this.conn.run(sql));
    return { rowsAffected: Number(result.rowsChanged) };
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.track(this.conn.runAndReadAll(sql));
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  /** Appends rows as text; DuckDB's appender casts each value to the column's type. */
  async loadRows(rel: Relation, columns: Column[], rows: unknown[][]): Promise<number> {
    const appender = await this.conn.createAppender(rel.identifier, rel.schema, rel.database ?? null);
    try {
      for (const row of rows) {
        for (let i = 0; i < columns.length; i++) {
          const v = row[i];
          if (v === null || v === undefined) appender.appendNull();
          else appender.appendVarchar(typeof v === 'string' ? v : String(v));
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    return rows.length;
  }

  /** Interrupts the statement running on this connection, if any. */
  interrupt(): void {
    this.conn.interrupt();
  }

  close(): void {
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

  async acquire(): Promise<DuckDBSession> {
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
      for (const s of this.all) if (s.busy) s.interrupt();
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
    for (const s of this.all) s.close();
    this.all.length = 0;
    this.idle.length = 0;
    this.instance.closeSync();
  }
}
