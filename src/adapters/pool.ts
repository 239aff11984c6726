/** What every engine's connection pool offers: take a session, give it back. */
export interface SessionPool<S> {
  acquire(): Promise<S>;
  release(session: S): void;
}

/** Runs fn on a session from the pool and always returns the session. */
export async function withSession<S, T>(pool: SessionPool<S>, fn: (session: S) => Promise<T>): Promise<T> {
  const session = await pool.acquire();
  try {
    return await fn(session);
  } finally {
    pool.release(session);
  }
}

/** What an on-demand pool keeps: a session that knows whether it still works, and closes. */
export interface PooledSession {
  readonly alive: boolean;
  close(): Promise<void>;
}

/**
 * Up to `size` sessions, opened on demand by `open` and reused. Waiters queue
 * for a free session; a dead session is dropped and replaced. Keeps every
 * session it opened, so an engine can reach the statements running on them
 * (cancel on Ctrl-C).
 */
export class OnDemandPool<S extends PooledSession> implements SessionPool<S> {
  private readonly all = new Set<S>();
  private readonly idle: S[] = [];
  private readonly waiters: Array<() => void> = [];
  private opening = 0;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly open: () => Promise<S>,
    /** the engine, for the message when the pool is closed */
    private readonly engine: string,
  ) {}

  /** Every open session (idle or in use). */
  get sessions(): S[] {
    return [...this.all];
  }

  async acquire(): Promise<S> {
    for (;;) {
      if (this.closed) throw new Error(`the ${this.engine} connection pool is closed`);
      const session = this.idle.pop();
      if (session) {
        if (session.alive) return session;
        this.all.delete(session);
        continue;
      }
      if (this.all.size + this.opening < Math.max(1, this.size)) return this.openOne();
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  release(session: S): void {
    if (session.alive && !this.closed) this.idle.push(session);
    else {
      this.all.delete(session);
      void session.close();
    }
    this.waiters.shift()?.();
  }

  private async openOne(): Promise<S> {
    this.opening++;
    try {
      const session = await this.open();
      this.all.add(session);
      return session;
    } finally {
      this.opening--;
      // a waiter may take the slot a failed connection left
      if (this.all.size + this.opening < this.size) this.waiters.shift()?.();
    }
  }

  async end(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiters.splice(0)) wake();
    const sessions = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(sessions.map((s) => s.close()));
  }
}
