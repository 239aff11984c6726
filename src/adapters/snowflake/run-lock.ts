import { randomUUID } from 'node:crypto';
import { WarehouseError } from '../../errors.js';
import { describeLeaseHolder, holderDeadHere, waitForRunLock, type RunIdentity } from '../run-lock.js';
import type { Connection, RunLockOptions } from '../types.js';
import type { SnowflakeDialect } from './dialect.js';

/**
 * One run at a time per schema on Snowflake: a lease in a one-row table of the
 * schema, `TSQL_RUN_LOCK` (holder, run id, expiry by Snowflake's clock).
 * Snowflake has no advisory locks, and a transaction left open by a killed
 * client keeps its locks for hours, so nothing can be held "for as long as the
 * connection lives". Instead each statement on the lease is one MERGE or UPDATE,
 * which Snowflake runs holding the table's lock: two runs cannot both take a
 * free lease. The holder renews it (a heartbeat) while the run lasts and frees
 * it at the end, Ctrl-C included; a lease whose holder was killed expires,
 * and the next run takes it then (at once when that run was on the same
 * machine and its process is gone).
 */

export interface SnowflakeLease {
  runId: string;
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export interface SnowflakeLockTarget {
  database: string;
  schema: string;
  dialect: SnowflakeDialect;
  /** a session of the lock's own (heartbeats never wait for a busy one) */
  session: Connection;
  leaseSeconds: number;
}

export async function acquireSnowflakeRunLock(t: SnowflakeLockTarget, id: RunIdentity, opts: RunLockOptions): Promise<SnowflakeLease> {
  const d = t.dialect;
  const runId = randomUUID();
  try {
    for (const sql of d.runLockTable(t.database, t.schema)) await t.session.execute(sql);
    let steal: string | undefined;
    await waitForRunLock(
      { what: `snowflake schema ${t.schema} of database ${t.database}` },
      async () => {
        await t.session.execute(d.takeRunLock(t.database, t.schema, id.who, runId, t.leaseSeconds, steal));
        steal = undefined;
        const rows = await t.session.query(d.readRunLock(t.database, t.schema));
        if (rows.length > 1) throw new Error(`${d.renderRelation({ database: t.database, schema: t.schema, identifier: 'tsql_run_lock' })} has ${rows.length} rows, not one: drop it, and tsql creates it again`);
        const row = rows[0];
        if (row?.run_id === runId) return { taken: true };
        const holder = row?.holder === null || row?.holder === undefined ? undefined : String(row.holder);
        if (holderDeadHere(holder) && row?.run_id) {
          // a run killed on this machine: its lease is taken over at once, not when it expires
          steal = String(row.run_id);
          return { taken: false, holder: '', again: true };
        }
        const expiresIn = row?.expires_in === null || row?.expires_in === undefined ? undefined : Number(row.expires_in);
        return { taken: false, holder: describeLeaseHolder(holder, expiresIn) };
      },
      opts,
    );
  } catch (e) {
    if (e instanceof WarehouseError) throw e;
    throw new WarehouseError(`cannot take the run lock on snowflake schema ${t.schema}: ${(e as Error)?.message ?? String(e)}`);
  }
  return {
    runId,
    renew: async () => {
      const r = await t.session.execute(d.renewRunLock(t.database, t.schema, runId, t.leaseSeconds));
      if (r.rowsAffected !== undefined) return r.rowsAffected > 0;
      const rows = await t.session.query(d.readRunLock(t.database, t.schema));
      return rows[0]?.run_id === runId;
    },
    release: async () => void (await t.session.execute(d.releaseRunLock(t.database, t.schema, runId))),
  };
}
