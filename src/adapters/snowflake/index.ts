import { grantsFromRows } from '../grant-rows.js';
import type { ConnectionOptions } from 'snowflake-sdk';
import { columnsByRelation, readCatalogWith, toColumns } from '../catalog-rows.js';
import { defineAdapter } from '../factory.js';
import { withSession } from '../pool.js';
import { WarehouseError } from '../../errors.js';
import type { LeaseKeeper } from '../run-lease.js';
import type { Adapter, CatalogEntry, CatalogTable, Column, Connection, ExternalStageRequest, GrantMap, Relation, RelationKind, RunLockOptions, UnloadRequest } from '../types.js';
import type { PoolOptions, SnowflakePool } from './connection.js';
import type { SnowflakeLease } from './run-lock.js';
import { SnowflakeDialect } from './dialect.js';
import { accessUrlOf, authenticatorOf, privateKeyOf, snowflakeOutputSchema, type SnowflakeOutput } from './output.js';
import { stageLocation, type LakeSettings } from './lake-stage.js';
import { stageSnowflakeExternalTable } from './stage-external.js';

export { snowflakeOutputSchema, type SnowflakeOutput } from './output.js';

/**
 * Snowflake through snowflake-sdk (loaded on first use). One session per
 * thread; every identifier tsql writes is quoted and case-folded as Snowflake
 * folds unquoted names (dialect.ts).
 */
export class SnowflakeAdapter implements Adapter {
  readonly dialect: SnowflakeDialect;
  readonly database: string;
  private pool: Promise<SnowflakePool> | undefined;
  /** the run lock: its lease, the heartbeat, and the lock's own session (acquireRunLock) */
  private lock: { lease: SnowflakeLease; keeper: LeaseKeeper; pool: SnowflakePool } | undefined;
  /** why the run must stop: its lock was lost */
  private lockLost: string | undefined;

  constructor(
    private readonly output: SnowflakeOutput,
    private readonly threads: number,
  ) {
    this.database = output.database;
    this.dialect = new SnowflakeDialect({ queryTag: output.query_tag, warehouse: output.warehouse });
  }

  /** The driver's settings from the profile; credentials go to the driver only. */
  private connectionOptions(): ConnectionOptions {
    const o = this.output;
    const auth = authenticatorOf(o);
    const options: ConnectionOptions = {
      account: o.account,
      username: o.user,
      database: o.database,
      schema: this.dialect.foldName(o.schema),
      application: 'tsql',
      clientSessionKeepAlive: o.client_session_keep_alive,
      authenticator: auth.toUpperCase(),
      sfRetryMaxLoginRetries: o.connect_retries,
    };
    (options as Record<string, unknown>).sfRetryStartingSleepTime = o.connect_timeout;
    if (o.role) options.role = o.role;
    if (o.warehouse) options.warehouse = o.warehouse;
    const accessUrl = accessUrlOf(o);
    if (accessUrl) options.accessUrl = accessUrl;
    if (o.password !== undefined) options.password = o.password;
    if (auth === 'oauth') options.token = o.token;
    if (auth === 'snowflake_jwt') {
      options.privateKey = privateKeyOf(o).export({ type: 'pkcs8', format: 'pem' }).toString();
    }
    return options;
  }

  private poolOptions(size: number): PoolOptions {
    const o = this.output;
    return {
      connection: this.connectionOptions(),
      dialect: this.dialect,
      size,
      settings: { retries: o.retry_on_transient_errors, putThresholdRows: o.seed_put_threshold_rows },
      describe: () => this.describe(),
      setup: o.query_tag ? [`alter session set query_tag = ${this.dialect.quoteString(o.query_tag)}`] : [],
      secrets: [o.password, o.token, o.private_key, o.private_key_passphrase].filter((s): s is string => !!s),
    };
  }

  private getPool(): Promise<SnowflakePool> {
    this.pool ??= import('./connection.js').then(({ SnowflakePool }) => new SnowflakePool(this.poolOptions(Math.max(1, this.threads))));
    return this.pool;
  }

  /**
   * A lease row in the target schema (run-lock.ts), taken on a session of its
   * own and renewed by a heartbeat until close(); losing it stops the run.
   */
  async acquireRunLock(opts: RunLockOptions): Promise<void> {
    const [{ SnowflakePool }, { acquireSnowflakeRunLock }, { LeaseKeeper }, { runIdentity }] = await Promise.all([
      import('./connection.js'),
      import('./run-lock.js'),
      import('../run-lease.js'),
      import('../run-lock.js'),
    ]);
    const o = this.output;
    const pool = new SnowflakePool(this.poolOptions(1));
    try {
      const session = await pool.acquire();
      const lease = await acquireSnowflakeRunLock({ database: this.database, schema: o.schema, dialect: this.dialect, session, leaseSeconds: o.run_lock_lease_seconds }, runIdentity(this.database, o.schema), opts);
      const keeper = new LeaseKeeper(lease.renew, o.run_lock_lease_seconds, (why) => {
        this.lockLost = `the run lock on snowflake schema ${o.schema} was lost (${why}): stopped, so that two runs never write the schema at once`;
        void this.cancelAll();
      });
      this.lock = { lease, keeper, pool };
      keeper.start();
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
  }

  async withConnection<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    if (this.lockLost) throw new WarehouseError(this.lockLost);
    try {
      return await withSession(await this.getPool(), fn);
    } catch (e) {
      // a statement cancelled because the run lock was lost fails with that reason
      if (this.lockLost) throw new WarehouseError(this.lockLost);
      throw e;
    }
  }

  /** Tables, views and external tables of the target's database (one round trip). */
  async listRelations(conn?: Connection): Promise<CatalogEntry[]> {
    const q = this.dialect.catalogQuery(this.database);
    const rows = await (conn ? conn.query(q) : this.withConnection((c) => c.query(q)));
    return rows.map((r) => ({
      database: String(r.database),
      schema: String(r.schema),
      identifier: String(r.identifier),
      kind: r.kind === 'VIEW' ? 'view' : r.kind === 'EXTERNAL TABLE' ? 'external' : 'table',
    }));
  }

  async listColumns(): Promise<Map<string, Column[]>> {
    const rows = await this.withConnection((c) => c.query(this.dialect.columnsQuery(this.database)));
    return columnsByRelation(rows, { database: 'database', schema: 'schema', identifier: 'identifier', name: 'name', type: 'type' });
  }

  /** The relations of these schemas, one information_schema read per database. */
  async readCatalog(schemas: Array<{ database?: string; schema: string }>): Promise<CatalogTable[]> {
    const d = this.dialect;
    return readCatalogWith(this, schemas, (db, list) => ({ tables: d.catalogTablesQuery(db, list), columns: d.catalogColumnsQuery(db, list) }), { rowCountEstimated: false, perDatabase: true, defaultDatabase: this.database });
  }

  /** SHOW GRANTS rows granted to roles; OWNERSHIP is the owner's, not a grant to manage. */
  async readGrants(conn: Connection, rel: Relation, kind: RelationKind): Promise<GrantMap> {
    const rows = await conn.query(this.dialect.showGrants(rel, kind));
    return grantsFromRows(rows, { grantee: 'grantee_name', privilege: 'privilege' }, (r) => String(r.privilege).toUpperCase() !== 'OWNERSHIP' && String(r.granted_to).toUpperCase() === 'ROLE');
  }

  async getColumns(conn: Connection, rel: Relation): Promise<Column[]> {
    return toColumns(await conn.query(this.dialect.describeColumns(rel)));
  }

  stageExternal(conn: Connection, request: ExternalStageRequest): Promise<{ message: string; statements: string[] }> {
    return stageSnowflakeExternalTable(conn, this.dialect, request, this.lake());
  }

  private lake(): LakeSettings {
    return { lakeRoot: this.output.lake_root, storageIntegration: this.output.storage_integration, database: this.database, schema: this.output.schema };
  }

  /**
   * COPY INTO the location's stage (an s3:// lake through tsql's stage over
   * it). A query without rows writes no file, so the previous file there, if
   * any, is removed: the location holds this run's result, not an older one.
   */
  async unload(conn: Connection, request: UnloadRequest): Promise<{ rows: number | undefined; statements: string[] }> {
    const statements: string[] = [];
    const location = stageLocation(this.dialect, request.location, this.lake(), statements);
    for (const sql of statements) await conn.execute(sql);
    const copy = this.dialect.copyTo(request.sql, location, request.format, request.options);
    statements.push(copy);
    const r = await conn.execute(copy);
    if (r.rowsAffected === 0) {
      const remove = this.dialect.removeStageFile(location);
      statements.push(remove);
      await conn.execute(remove);
    }
    return { rows: r.rowsAffected, statements };
  }

  async cancelAll(): Promise<void> {
    await (await this.pool)?.cancelAll();
  }

  describe(): string {
    const o = this.output;
    const where = accessUrlOf(o) ? ` via ${accessUrlOf(o)}` : '';
    return `snowflake ${o.user}@${o.account}/${o.database}.${o.schema}${o.warehouse ? ` warehouse ${o.warehouse}` : ''}${o.role ? ` role ${o.role}` : ''}${where}`;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await (await pool)?.end();
    const lock = this.lock;
    this.lock = undefined;
    if (lock) {
      await lock.keeper.stop();
      if (!lock.keeper.lost) await lock.lease.release().catch(() => undefined);
      await lock.pool.end().catch(() => undefined);
    }
  }
}

export const snowflakeAdapterFactory = defineAdapter({
  type: 'snowflake',
  outputSchema: snowflakeOutputSchema,
  databaseOf: (o) => o.database,
  create: (output, opts) => new SnowflakeAdapter(output, opts.threads),
});
