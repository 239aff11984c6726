import pg from 'pg';
import { WarehouseError } from '../../errors.js';
import { connectPgClient, errorText } from '../postgres/connection.js';
import { describeHolder, type RunIdentity } from '../postgres/run-lock.js';
import type { RunLockOptions } from '../types.js';
import type { RedshiftDialect } from './dialect.js';

/**
 * Redshift (`method: pg`) has no advisory locks: one run at a time per schema
 * is a `lock` on a table of the schema, `tsql_run_lock`, taken in a
 * transaction that stays open for the run on a connection of its own (closing
 * it, or the process dying, ends the transaction and frees the lock). A run
 * that holds the lock writes who it is into `tsql_run_lock_holder` (committed,
 * so a waiting run can read it). Redshift's LOCK has no NOWAIT: a short
 * statement_timeout makes each attempt a try.
 */
export const LOCK_TABLE = 'tsql_run_lock';
export const HOLDER_TABLE = 'tsql_run_lock_holder';

export interface RedshiftLockTarget {
  client: pg.ClientConfig;
  database: string;
  schema: string;
  dialect: RedshiftDialect;
  sslFallback?: boolean;
}

async function connect(t: RedshiftLockTarget, ssl: pg.ClientConfig['ssl']): Promise<pg.Client> {
  return (await connectPgClient({ ...t.client, ssl }, { engine: 'redshift', sslFallback: t.sslFallback })).client;
}

export async function acquireRedshiftRunLock(t: RedshiftLockTarget, id: RunIdentity, opts: RunLockOptions): Promise<pg.Client> {
  const d = t.dialect;
  const rel = (identifier: string) => d.renderRelation({ schema: t.schema, identifier });
  const client = await connect(t, t.client.ssl);
  try {
    await client.query(`create schema if not exists ${d.quoteIdentifier(t.schema)}`);
    await client.query(`create table if not exists ${rel(LOCK_TABLE)} (run varchar(256))`);
    await client.query(`create table if not exists ${rel(HOLDER_TABLE)} (run varchar(256))`);
    const deadline = opts.waitSeconds === undefined ? 0 : Date.now() + opts.waitSeconds * 1000;
    let told = false;
    for (;;) {
      await client.query('set statement_timeout to 1000');
      await client.query('begin');
      try {
        await client.query(`lock ${rel(LOCK_TABLE)}`);
        await client.query('set statement_timeout to 0');
        break;
      } catch (e) {
        await client.query('rollback').catch(() => undefined);
        if ((e as { code?: string }).code !== '57014' && !/statement timeout|canceling statement/i.test(errorText(e))) throw e;
      }
      const holder = await client.query(`select run from ${rel(HOLDER_TABLE)} limit 1`).then((r) => r.rows[0]?.run as string | undefined, () => undefined);
      const message = `another tsql run holds the lock on redshift schema ${t.schema} of database ${t.database}: ${describeHolder(holder)}`;
      if (Date.now() >= deadline) throw new WarehouseError(`${message}; wait for it to finish, or pass --wait [SECONDS] to queue behind it`);
      if (!told) opts.onWait?.(`${message}; waiting${Number.isFinite(opts.waitSeconds) ? ` up to ${opts.waitSeconds} s` : ''}`);
      told = true;
    }
    // who holds it, for the next run to read: committed on another connection (this one's transaction stays open)
    const note = await connect(t, t.client.ssl);
    try {
      await note.query(`delete from ${rel(HOLDER_TABLE)}`);
      await note.query(`insert into ${rel(HOLDER_TABLE)} (run) values ($1)`, [id.who]);
    } finally {
      await note.end().catch(() => undefined);
    }
    return client;
  } catch (e) {
    await client.end().catch(() => undefined);
    if (e instanceof WarehouseError) throw e;
    throw new WarehouseError(`cannot take the run lock on redshift schema ${t.schema}: ${errorText(e)}`);
  }
}
