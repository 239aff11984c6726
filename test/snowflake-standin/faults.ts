/**
 * Faults the Snowflake stand-in can inject (test only), and the counters
 * that say which were used. Each fault with `times` is consumed request by
 * request; setFaults() replaces all of them.
 */

/** A statement matches by substring (case-insensitive) or by regular expression. */
export type SqlMatch = RegExp | string;

export interface Faults {
  /** Answer the next `times` matching requests with this HTTP status (the sdk retries 429 and 5xx). */
  throttle?: { status: 429 | 503; times: number; path?: 'query' | 'login' | 'result' };
  /** The next `times` query-requests answer 390112 (session token expired): the sdk renews its token and retries. */
  expireSession?: { times: number };
  /** A statement whose text matches fails with this Snowflake error, without running. */
  failQuery?: { match: SqlMatch; code: string; message: string; sqlState?: string };
  /** A statement whose text matches waits `ms` (or, with `until`, until it settles, at most `ms`) before running (abortable: for cancel tests). */
  slowQuery?: { match: SqlMatch; ms: number; until?: Promise<unknown> };
  /** The next `times` query-requests whose statement matches start it, then lose their connection (the sdk resends the same requestId). */
  dropConnection?: { match: SqlMatch; times: number };
}

/** The path kinds a throttle can target. */
export type ThrottlePath = 'query' | 'login' | 'result' | 'other';

export function sqlMatches(match: SqlMatch, sql: string): boolean {
  if (typeof match === 'string') return sql.toLowerCase().includes(match.toLowerCase());
  match.lastIndex = 0;
  return match.test(sql);
}

/** The faults in force, with what is left of each counted one. */
export class FaultState {
  private faults: Faults = {};
  private throttleLeft = 0;
  private expireLeft = 0;
  private dropLeft = 0;

  constructor(faults: Faults | undefined) {
    this.set(faults ?? {});
  }

  set(faults: Faults): void {
    this.faults = { ...faults };
    this.throttleLeft = faults.throttle?.times ?? 0;
    this.expireLeft = faults.expireSession?.times ?? 0;
    this.dropLeft = faults.dropConnection?.times ?? 0;
  }

  /** The status to answer this request with, if a throttle applies (consumes one). */
  takeThrottle(path: ThrottlePath): number | undefined {
    const t = this.faults.throttle;
    if (!t || this.throttleLeft <= 0) return undefined;
    if (t.path !== undefined && t.path !== path) return undefined;
    this.throttleLeft--;
    return t.status;
  }

  /** Whether this query-request answers "session expired" (consumes one). */
  takeExpire(): boolean {
    if (this.expireLeft <= 0) return false;
    this.expireLeft--;
    return true;
  }

  /** Whether this query-request loses its connection (consumes one). */
  takeDrop(sql: string): boolean {
    const d = this.faults.dropConnection;
    if (!d || this.dropLeft <= 0 || !sqlMatches(d.match, sql)) return false;
    this.dropLeft--;
    return true;
  }

  failureFor(sql: string): Faults['failQuery'] | undefined {
    const f = this.faults.failQuery;
    return f && sqlMatches(f.match, sql) ? f : undefined;
  }

  delayFor(sql: string): { ms: number; until?: Promise<unknown> } | undefined {
    const s = this.faults.slowQuery;
    return s && sqlMatches(s.match, sql) ? { ms: s.ms, until: s.until } : undefined;
  }
}
