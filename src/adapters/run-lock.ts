import { createHash } from 'node:crypto';
import { hostname as hostnameOf } from 'node:os';
import { WarehouseError } from '../errors.js';
import type { RunLockOptions } from './types.js';

/**
 * What every engine's run lock shares: who a run is (its identity, written
 * where the next run can read it), and the waiting: try, and when another run
 * holds the lock either fail at once naming it, or (`--wait [SECONDS]`) say so
 * once and try again until it is free or the time is up. Every engine words
 * the refusal the same way.
 */

export interface RunIdentity {
  /** 8 hex digits of database+schema: the same for every run on that schema */
  key: string;
  /** a signed int4 of the same digest (PostgreSQL's advisory lock key) */
  objid: number;
  /** `<pid>@<host> <start>`: this run */
  who: string;
}

export function runIdentity(database: string, schema: string, started = new Date()): RunIdentity {
  const digest = createHash('sha256').update(`${database}\u0000${schema}`).digest();
  const key = digest.subarray(0, 4).toString('hex');
  const objid = digest.readInt32BE(0);
  const start = started.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return { key, objid, who: `${process.pid}@${shortHost()} ${start}` };
}

/** The name a run's worker connections and statements carry: `tsql <key> <who>`. */
export function workerRunName(id: RunIdentity): string {
  return `tsql ${id.key} ${id.who}`;
}

/** The name of a run's lock connection: `tsql lock <key> <who>`. */
export function lockRunName(id: RunIdentity): string {
  return `tsql lock ${id.key} ${id.who}`;
}

/** One try at the lock: taken, or held by the run that `holder` describes (its words, from describeHolder). */
export type LockTry = { taken: true } | { taken: false; holder: string; /** try again at once (the holder was just cleared away) */ again?: boolean };

export interface LockWaitSubject {
  /** `postgres schema analytics of database shop` */
  what: string;
  /** pause between tries while waiting, in ms (default 1000) */
  pauseMs?: number;
}

export async function waitForRunLock(subject: LockWaitSubject, tryOnce: () => Promise<LockTry>, opts: RunLockOptions): Promise<void> {
  const deadline = opts.waitSeconds === undefined ? 0 : Date.now() + opts.waitSeconds * 1000;
  let told = false;
  for (;;) {
    const t = await tryOnce();
    if (t.taken) return;
    if (t.again) continue;
    const message = `another tsql run holds the lock on ${subject.what}: ${t.holder}`;
    if (Date.now() >= deadline) throw new WarehouseError(`${message}; wait for it to finish, or pass --wait [SECONDS] to queue behind it`);
    if (!told) opts.onWait?.(`${message}; waiting${Number.isFinite(opts.waitSeconds) ? ` up to ${opts.waitSeconds} s` : ''}`);
    told = true;
    await sleep(Math.min(subject.pauseMs ?? 1000, Math.max(50, deadline - Date.now())));
  }
}

/** `12345@host 20261203T075029Z` as the words of an error message. */
export function describeHolder(who: string | undefined): string {
  const m = /^(\d+)@(\S+) (\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(who ?? '');
  if (!m) return who ? `(${who})` : '(its connection does not say which)';
  return `on host ${m[2]}, pid ${m[1]}, started ${m[3]}-${m[4]}-${m[5]} ${m[6]}:${m[7]}:${m[8]} UTC`;
}

/** The holder's words with when its lease runs out (engines whose lock expires unless renewed). */
export function describeLeaseHolder(who: string | undefined, expiresInSeconds: number | undefined): string {
  const base = describeHolder(who);
  if (expiresInSeconds === undefined || !Number.isFinite(expiresInSeconds)) return base;
  const at = new Date(Date.now() + Math.max(0, expiresInSeconds) * 1000);
  const when = at.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return expiresInSeconds > 0 ? `${base} (if that run is dead, its lock expires at ${when})` : `${base} (its lock expired at ${when}: it is being released)`;
}

/** `<pid>@<host> …` of a run on this machine whose process is gone (killed): its lock can be cleared at once. */
export function holderDeadHere(who: string | undefined): boolean {
  const m = /^(\d+)@(\S+) /.exec(who ?? '');
  return !!m && m[2] === shortHost() && !processAlive(Number(m[1]));
}

/**
 * This machine's name as run names carry it: printable ASCII, at most 18
 * characters, so `tsql lock <key> <pid>@<host> <start>` stays within
 * PostgreSQL's 63 for application_name (a longer name would be cut, and no
 * longer match its run's).
 */
export function shortHost(): string {
  return hostnameOf().replace(/[^\x21-\x7e]/g, '?').slice(0, 18);
}


function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
