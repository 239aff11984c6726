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
