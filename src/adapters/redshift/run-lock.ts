import { WarehouseError } from '../../errors.js';
import { describeLeaseHolder, sleep, waitForRunLock, workerRunName, type RunIdentity } from '../run-lock.js';
import type { RunLockOptions } from '../types.js';
import type { RedshiftDialect } from './dialect.js';

/**
 * Redshift has no advisory locks: one run at a time per schema is a `lock` on
 * a table of the schema, `tsql_run_lock`, taken in a transaction that stays
 * open for the run in a session of its own. The session ends with the run:
 * - `method: pg`: a connection; closing it, or the process dying, ends the
 *   transaction and frees the lock.
 * - the Data API: a session (SessionKeepAliveSeconds) that Redshift closes by
 *   itself once no statement has come for the keep-alive: tsql sends one (a
 *   heartbeat) well within it for as long as the run lasts, so a run killed
 *   with SIGKILL holds the lock at most that long. The lock is Redshift's own
 *   (no row to compare and set, no clock to trust), and both methods take the
 *   same one, so a pg run and a Data API run on one schema exclude each other.
 * The holder writes who it is, and on the Data API when its lease ends, into
 * `tsql_run_lock_holder` (committed apart, so a waiting run can read it).
 * Redshift's LOCK has no NOWAIT: a short statement_timeout makes each attempt a try.
 */

/** Runs statements one by one, rows back. */
export interface LockStatements {
  query(sql: string): Promise<Record<string, unknown>[]>;
}

export interface RedshiftLockTarget {
  database: string;
  schema: string;
  dialect: RedshiftDialect;
  /** the lock's own session: its transaction (the lock) spans calls and lasts until the session ends */
  session: LockStatements;
  /** statements committed at once, outside the lock's transaction (the holder row) */
  note: LockStatements;
  /** the Data API: seconds the lock session outlives its last statement (its keep-alive), the lease */
  leaseSeconds?: number;
}

/** A statement_timeout that ended the LOCK's wait (PostgreSQL's wording, or Redshift's cancellation). */
function isLockTimeout(e: unknown): boolean {
  if ((e as { code?: string }).code === '57014') return true;
  return /statement timeout|statement_timeout|cancel(l)?ed|canceling statement/i.test(String((e as Error)?.message ?? e));
}

export async function acquireRedshiftRunLock(t: RedshiftLockTarget, id: RunIdentity, opts: RunLockOptions): Promise<void> {
  const d = t.dialect;
  try {
    for (const sql of d.runLockTables(t.schema)) await t.note.query(sql);
    await waitForRunLock(
      { what: `redshift schema ${t.schema} of database ${t.database}`, pauseMs: 0 },
      async () => {
        await t.session.query('set statement_timeout to 1000');
        await t.session.query('begin');
        try {
          await t.session.query(d.lockRunLock(t.schema));
          await t.session.query('set statement_timeout to 0');
          return { taken: true };
        } catch (e) {
          await t.session.query('rollback').catch(() => undefined);
          if (!isLockTimeout(e)) throw e;
        }
        const row = await t.note.query(d.readRunLockHolder(t.schema)).then((rows) => rows[0], () => undefined);
        const expiresIn = row?.expires_in === null || row?.expires_in === undefined ? undefined : Number(row.expires_in);
        return { taken: false, holder: describeLeaseHolder(row?.run as string | undefined, expiresIn) };
      },
      opts,
    );
    for (const sql of d.writeRunLockHolder(t.schema, id.who, t.leaseSeconds)) await t.note.query(sql);
  } catch (e) {
    if (e instanceof WarehouseError) throw e;
    throw new WarehouseError(`cannot take the run lock on redshift schema ${t.schema}: ${(e as Error)?.message ?? String(e)}`);
  }
}

/**
 * One heartbeat of a Data API run lock: a statement in the lock's session
 * (Redshift keeps it open another keep-alive from now) and the lease's new end
 * in the holder row. False when the session is gone: the lock was released.
 */
export async function renewRedshiftRunLock(t: RedshiftLockTarget, id: RunIdentity, sessionGone: (e: unknown) => boolean): Promise<boolean> {
  try {
    await t.session.query('select 1');
  } catch (e) {
    if (sessionGone(e)) return false;
    throw e;
  }
  if (t.leaseSeconds !== undefined) await t.note.query(t.dialect.renewRunLockHolder(t.schema, id.who, t.leaseSeconds));
  return true;
}

/**
 * `method: pg`: ends the sessions still executing statements of other runs on
 * this schema (stv_inflight's label is the query_group each run's connections
 * set): a run killed with SIGKILL leaves them running, and holding their
 * locks. The caller holds the run lock, so those runs are gone. Waits (bounded)
 * until they have ended.
 */
export async function endRedshiftLeftovers(session: LockStatements, dialect: RedshiftDialect, id: RunIdentity): Promise<void> {
  const query = dialect.leftoverRunBackends(`tsql ${id.key} `, workerRunName(id));
  let pids = (await session.query(query)).map((r) => Number(r.pid)).filter((p) => p > 0);
  if (!pids.length) return;
  for (let i = 0; i < 100 && pids.length; i++) {
    for (const pid of pids) await session.query(`select pg_terminate_backend(${pid})`).catch(() => undefined);
    await sleep(50);
    pids = (await session.query(query)).map((r) => Number(r.pid)).filter((p) => p > 0);
  }
}
