import { sleep } from '../run-lock.js';

/**
 * Opening a connection again after a failure that may pass (dbt-postgres's
 * `retries`): the server refusing or not answering, the network, a server
 * starting up or shutting down, too many connections. A wrong password, a
 * missing database or a certificate the client rejects is not retried.
 */

/** Socket errors of a server not (yet) reachable. */
const TRANSIENT_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE']);

/**
 * SQLSTATEs: 57P03 cannot_connect_now (starting up, shutting down, in
 * recovery), 53300 too_many_connections, 57P01 admin_shutdown, class 08
 * connection exceptions except 08004 (the server rejected the connection:
 * a rule, not a passing state) and 08P01 (protocol violation).
 */
function transientSqlState(code: string): boolean {
  if (code === '57P03' || code === '53300' || code === '57P01') return true;
  return /^08/.test(code) && code !== '08004' && code !== '08P01';
}

export function isTransientConnectError(e: unknown): boolean {
  const errors = e instanceof AggregateError ? e.errors : [e];
  return errors.some((x) => {
    const err = x as { code?: unknown; message?: unknown };
    if (typeof err?.code === 'string' && (TRANSIENT_SOCKET.has(err.code) || (/^[0-9A-Z]{5}$/.test(err.code) && transientSqlState(err.code)))) return true;
    // pg's own words: its connect timeout, a socket closed during the handshake
    return typeof err?.message === 'string' && /^(timeout expired|Connection terminated (unexpectedly|due to connection timeout))/i.test(err.message);
  });
}

/** The pause before retry `n` (1-based): 0.5 s, 1 s, 2 s, then 4 s. */
export function retryDelayMs(n: number): number {
  return Math.min(4000, 500 * 2 ** (n - 1));
}

/**
 * Runs `connect`; while it fails with a transient error and retries are
 * left, waits and tries again. The last failure is thrown as it was.
 */
export async function connectWithRetries<T>(connect: () => Promise<T>, retries: number, pause: (ms: number) => Promise<void> = sleep): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await connect();
    } catch (e) {
      if (attempt >= retries || !isTransientConnectError(e)) throw e;
      await pause(retryDelayMs(attempt + 1));
    }
  }
}
