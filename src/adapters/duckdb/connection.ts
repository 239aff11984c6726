import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Column, Connection, ExecResult, Relation } from '../types.js';

/** One DuckDB connection: sends statements, reads rows, appends rows with bound values. */
export class DuckDBSession implements Connection {
  constructor(private readonly conn: DuckDBConnection) {}

  async execute(sql: string): Promise<ExecResult> {
    const result = await this.conn.run(sql);
    return { rowsAffected: Number(result.rowsChanged) };
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.conn.runAndReadAll(sql);
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

  interruptAll(): void {
    for (const s of this.all) s.interrupt();
  }

  /**
   * Closes every connection and the database itself. The instance must be
   * closed too: two open instances of one file in a process corrupt it.
   */
  closeAll(): void {
    for (const s of this.all) s.close();
    this.all.length = 0;
    this.idle.length = 0;
    this.instance.closeSync();
  }
}
