import pg from 'pg';
import { WarehouseError } from '../../errors.js';
import { describeHolder, holderDeadHere, lockRunName, sleep, waitForRunLock, type RunIdentity } from '../run-lock.js';
import type { RunLockOptions } from '../types.js';
import { connectPgClient, errorText } from './connection.js';

/**
 * One tsql run at a time per database and schema, on PostgreSQL: a
 * session-level advisory lock held on a connection of its own for the whole
 * run. The lock connection's application_name names its run (`tsql lock
 * <key> <pid>@<host> <start>`), so a second run can say who holds the lock.
 * Every worker connection of the run holds a shared advisory lock of the same
 * key in a second space (and is named `tsql <key> …` unless the profile sets
 * application_name), so a run that takes the lock can end the backends a
 * killed run left executing (its lock connection is gone, its statements may
 * still run on the server).
 */

/** First key of the two-int advisory lock: tsql's own space ('tsq1'). */
const LOCK_SPACE = 0x74737131;
/** The workers' space ('tsq2'): shared locks only, so taking one never waits. */
const WORKER_SPACE = 0x74737132;

/** The statement that marks a connection as one of the run's workers (held until the connection ends). */
export function markWorkerSql(id: RunIdentity): string {
  return `select pg_advisory_lock_shared(${WORKER_SPACE}, ${id.objid})`;
}

export { describeHolder, runIdentity, lockRunName as lockApplicationName, workerRunName as workerApplicationName, type RunIdentity } from '../run-lock.js';

export interface PgRunLockTarget {
  client: pg.ClientConfig;
  database: string;
  schema: string;
  engine: string;
  /** sslmode=prefer: connect again without SSL when the server does not offer it */
  sslFallback?: boolean;
  /** times to open the connection again after a failure that may pass */
  retries?: number;
}

async function connect(target: PgRunLockTarget, id: RunIdentity, ssl: pg.ClientConfig['ssl']): Promise<pg.Client> {
  return (await connectPgClient({ ...target.client, ssl, application_name: lockRunName(id) }, { engine: target.engine, sslFallback: target.sslFallback, retries: target.retries })).client;
}

/**
 * Takes the run lock on a new connection and returns it (closing it releases
 * the lock). Then ends what killed runs on the same schema left running.
 */
export async function acquirePgRunLock(target: PgRunLockTarget, id: RunIdentity, opts: RunLockOptions): Promise<pg.Client> {
  const client = await connect(target, id, target.client.ssl);
  try {
    await waitForRunLock({ what: `${target.engine} schema ${target.schema} of database ${target.database}` }, async () => {
      const r = await client.query('select pg_try_advisory_lock($1::int4, $2::int4) as ok', [LOCK_SPACE, id.objid]);
      if (r.rows[0]?.ok) return { taken: true };
      const holder = await lockHolder(client, id);
      if (holder?.deadHere) {
        // a run killed on this machine whose lock backend has not noticed yet
        await client.query('select pg_terminate_backend($1::int4)', [holder.pid]);
        await sleep(100);
        return { taken: false, holder: '', again: true };
      }
      return { taken: false, holder: describeHolder(holder?.who) };
    }, opts);
    await endLeftovers(client, id);
    return client;
  } catch (e) {
    await client.end().catch(() => undefined);
    if (e instanceof WarehouseError) throw e;
    throw new WarehouseError(`cannot take the run lock on ${target.engine}: ${errorText(e)}`);
  }
}

/** The backend holding the lock and the run it names; `deadHere` when that run was on this host and its process is gone. */
async function lockHolder(client: pg.Client, id: RunIdentity): Promise<{ pid: number; who: string | undefined; deadHere: boolean } | undefined> {
  const r = await client.query(
    [
      'select a.pid, a.application_name',
      'from pg_catalog.pg_locks l join pg_catalog.pg_stat_activity a on a.pid = l.pid',
      "where l.locktype = 'advisory' and l.granted and l.objsubid = 2",
      '  and l.classid = $1::int8::oid and l.objid = ($2::int8 & 4294967295)::oid',
      '  and l.database = (select oid from pg_catalog.pg_database where datname = current_database())',
      'limit 1',
    ].join('\n'),
    [LOCK_SPACE, id.objid],
  );
  const row = r.rows[0] as { pid: number; application_name: string } | undefined;
  if (!row) return undefined;
  const prefix = `tsql lock ${id.key} `;
  const who = row.application_name.startsWith(prefix) ? row.application_name.slice(prefix.length) : undefined;
  return { pid: row.pid, who, deadHere: holderDeadHere(who) };
}

/**
 * Ends the backends of this login role that an earlier run on this schema
 * left: the worker connections of a run on the same key (their shared lock in
 * the workers' space), which, now that this run holds the run lock, has no
 * lock connection any more (a run killed with SIGKILL: the server may still
 * be executing its statements and holding their locks). This run's workers
 * connect after this. Waits (bounded) until they are gone.
 */
async function endLeftovers(client: pg.Client, id: RunIdentity): Promise<void> {
  const orphans = [
    'select a.pid from pg_catalog.pg_locks l join pg_catalog.pg_stat_activity a on a.pid = l.pid',
    "where l.locktype = 'advisory' and l.granted and l.objsubid = 2",
    '  and l.classid = $1::int8::oid and l.objid = ($2::int8 & 4294967295)::oid',
    '  and l.database = (select oid from pg_catalog.pg_database where datname = current_database())',
    '  and a.usename = session_user and a.pid <> pg_backend_pid()',
  ].join('\n');
  const params = [WORKER_SPACE, id.objid];
  const first = await client.query(`select pg_terminate_backend(pid) from (${orphans}) o`, params);
  if (!first.rowCount) return;
  for (let i = 0; i < 100; i++) {
    const left = await client.query(`select count(*)::int as n from (${orphans}) o`, params);
    if (!left.rows[0]?.n) return;
    await sleep(50);
  }
}
