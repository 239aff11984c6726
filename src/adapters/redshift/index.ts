import { grantsFromRows } from '../grant-rows.js';
import type pg from 'pg';
import { columnsByRelation, readCatalogWith, toColumns } from '../catalog-rows.js';
import { defineAdapter } from '../factory.js';
import { withSession } from '../pool.js';
import { sslOption } from '../postgres/index.js';
import { WarehouseError } from '../../errors.js';
import type { LeaseKeeper } from '../run-lease.js';
import type { RunIdentity } from '../run-lock.js';
import type { Adapter, CatalogEntry, CatalogTable, Column, Connection, ExternalStageRequest, GrantMap, Relation, RunLockOptions } from '../types.js';
import type { DataApiCalls, DataApiSession, DataApiSettings, DataApiTarget } from './data-api.js';
import { RedshiftDialect } from './dialect.js';
import { redshiftDatabaseName, redshiftOutputSchema, type RedshiftDataApiOutput, type RedshiftOutput, type RedshiftPgOutput } from './output.js';
import { stageSpectrumTable } from './stage-external.js';

export { redshiftOutputSchema, type RedshiftOutput } from './output.js';

/**
 * The seed config key naming a CSV in S3 to COPY from instead of loading the
 * seed file's rows through the connection (RedshiftAdapter.loadSeedFromLocation).
 */
export const SEED_S3_LOCATION_KEY = 's3_location';

interface SessionPool {
  acquire(): Promise<Connection>;
  release(session: Connection): void;
  cancelAll(): Promise<void>;
}

/**
 * Redshift, over the PostgreSQL protocol (`method: pg`, the Postgres adapter's
 * pool) or the Redshift Data API (`method: data_api`). One dialect for both.
 */
export class RedshiftAdapter implements Adapter {
  readonly dialect: RedshiftDialect;
  readonly database: string;
  private pool: Promise<{ pool: SessionPool; close: () => Promise<void> }> | undefined;
  /** the run lock's connection (`method: pg`; acquireRunLock), closed last */
  private lock: pg.Client | undefined;
  /** the Data API run lock's session and its heartbeat */
  private lease: { session: DataApiSession; keeper: LeaseKeeper } | undefined;
  /** set once the run lock is held: every statement of the run carries it (query_group, StatementName) */
  private runName: string | undefined;
  /** why the run must stop: its Data API lock was lost */
  private lockLost: string | undefined;
  private calls: (DataApiCalls & { destroy?(): void }) | undefined;

  constructor(
    private readonly output: RedshiftOutput,
    private readonly threads: number,
    /** the Data API calls to use instead of the AWS SDK client (another transport) */
    private readonly dataApiCalls?: DataApiCalls,
  ) {
    this.database = redshiftDatabaseName(output);
    this.dialect = new RedshiftDialect({ database: this.database, iamRole: output.iam_role });
  }

  /** The client (pg, or the AWS SDK for the Data API) loads on first use, not on every tsql start. */
  private async getPool(): Promise<SessionPool> {
    const o = this.output;
    this.pool ??= o.method === 'data_api' ? this.dataApiPool(o) : this.pgPool(o);
    return (await this.pool).pool;
  }

  private async pgPool(o: RedshiftPgOutput): Promise<{ pool: SessionPool; close: () => Promise<void> }> {
    const [{ PgPool }, { RedshiftPgSession }] = await Promise.all([import('../postgres/connection.js'), import('./connection.js')]);
    const client = this.pgClientConfig(o);
    const searchPath = o.search_path;
    const pool = new PgPool({
      client,
      dialect: this.dialect,
      size: Math.max(1, this.threads),
      sslFallback: o.sslmode === 'prefer',
      retries: o.retries,
      setup: async (s) => {
        if (searchPath) await s.execute(`set search_path to ${searchPath}`);
        // the run's name on its statements (stv_inflight.label), for a later run to end what a killed one left running
        if (this.runName) await s.execute(this.dialect.setQueryGroup(this.runName));
      },
      createSession: (c, dialect) => new RedshiftPgSession(c, dialect),
    });
    return { pool, close: () => pool.end() };
  }

  private pgClientConfig(o: RedshiftPgOutput): pg.ClientConfig {
    return {
      host: o.host,
      port: o.port,
      user: o.user,
      password: o.password,
      database: this.database,
      ssl: sslOption(o.sslmode),
      connectionTimeoutMillis: o.connect_timeout * 1000,
      keepAlive: o.keepalives_idle !== undefined,
      keepAliveInitialDelayMillis: (o.keepalives_idle ?? 0) * 1000,
    };
  }

  /**
   * A lock table held in an open transaction (run-lock.ts): on a connection of
   * its own (`method: pg`), or in a Data API session kept alive by a heartbeat.
   * Then ends what a killed run on the schema left running.
   */
  async acquireRunLock(opts: RunLockOptions): Promise<void> {
    const o = this.output;
    const [lockModule, { runIdentity, workerRunName }] = await Promise.all([import('./run-lock.js'), import('../run-lock.js')]);
    const id = runIdentity(this.database, o.schema);
    if (o.method === 'data_api') await this.acquireDataApiLock(o, id, opts);
    else {
      const { connectPgClient } = await import('../postgres/connection.js');
      const connect = async () => (await connectPgClient({ ...this.pgClientConfig(o) }, { engine: 'redshift', sslFallback: o.sslmode === 'prefer', retries: o.retries })).client;
      const statements = (c: pg.Client) => ({ query: async (sql: string) => (await c.query(sql)).rows as Record<string, unknown>[] });
      const lock = await connect();
      let note: pg.Client | undefined;
      try {
        note = await connect();
        await lockModule.acquireRedshiftRunLock({ database: this.database, schema: o.schema, dialect: this.dialect, session: statements(lock), note: statements(note) }, id, opts);
        this.lock = lock;
        await lockModule.endRedshiftLeftovers(statements(note), this.dialect, id);
      } catch (e) {
        if (this.lock !== lock) await lock.end().catch(() => undefined);
        throw e;
      } finally {
        await note?.end().catch(() => undefined);
      }
    }
    this.runName = workerRunName(id);
  }

  private async acquireDataApiLock(o: RedshiftDataApiOutput, id: RunIdentity, opts: RunLockOptions): Promise<void> {
    const [{ DataApiSession, InFlight, SessionGoneError }, lockModule, { LeaseKeeper }, { endDataApiLeftovers }, { lockRunName }] = await Promise.all([
      import('./data-api.js'),
      import('./run-lock.js'),
      import('../run-lease.js'),
      import('./data-api-leftovers.js'),
      import('../run-lock.js'),
    ]);
    const calls = await this.dataApiClient();
    const lease = o.run_lock_lease_seconds;
    const settings = this.dataApiSettings(o);
    const lockName = lockRunName(id);
    const session = new DataApiSession(calls, this.dataApiTarget(o), { ...settings, sessionKeepAliveSeconds: lease }, this.dialect, new InFlight(), () => this.describe(), () => lockName);
    const note = new DataApiSession(calls, this.dataApiTarget(o), { ...settings, sessionKeepAliveSeconds: 0 }, this.dialect, new InFlight(), () => this.describe(), () => lockName);
    const target = { database: this.database, schema: o.schema, dialect: this.dialect, session, note, leaseSeconds: lease };
    await lockModule.acquireRedshiftRunLock(target, id, opts);
    const keeper = new LeaseKeeper(() => lockModule.renewRedshiftRunLock(target, id, (e) => e instanceof SessionGoneError), lease, (why) => {
      this.lockLost = `the run lock on redshift schema ${o.schema} was lost (${why}): stopped, so that two runs never write the schema at once`;
      void this.cancelAll();
    });
    this.lease = { session, keeper };
    keeper.start();
    const where = { ClusterIdentifier: o.cluster_identifier, WorkgroupName: o.workgroup_name };
    await endDataApiLeftovers(calls, where, id, async (pid) => void (await note.query(`select pg_terminate_backend(${pid})`)));
  }

  /** The Data API client: the SDK's (loaded on first use), or the calls given to the constructor. */
  private async dataApiClient(): Promise<DataApiCalls> {
    if (this.dataApiCalls) return this.dataApiCalls;
    if (!this.calls) {
      const o = this.output as RedshiftDataApiOutput;
      const { sdkCalls } = await import('./data-api.js');
      this.calls = sdkCalls({ region: o.region, endpoint: o.endpoint, maxAttempts: o.max_attempts });
    }
    return this.calls;
  }

  private dataApiSettings(o: RedshiftDataApiOutput): DataApiSettings {
    return { pollInitialMs: o.poll_initial_ms, pollMaxMs: o.poll_max_ms, sessionKeepAliveSeconds: o.session_keep_alive_seconds, busyAttempts: 8 };
  }

  private dataApiTarget(o: RedshiftDataApiOutput): DataApiTarget {
    return { clusterIdentifier: o.cluster_identifier, workgroupName: o.workgroup_name, database: this.database, dbUser: o.db_user, secretArn: o.secret_arn };
  }

  private async dataApiPool(o: RedshiftDataApiOutput): Promise<{ pool: SessionPool; close: () => Promise<void> }> {
    const { DataApiPool, DataApiSession } = await import('./data-api.js');
    const calls = await this.dataApiClient();
    const settings = this.dataApiSettings(o);
    const target = this.dataApiTarget(o);
    const pool = new DataApiPool(calls, Math.max(1, this.threads), (inFlight) => new DataApiSession(calls, target, settings, this.dialect, inFlight, () => this.describe(), () => this.runName));
    return { pool, close: async () => undefined };
  }

  async withConnection<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    if (this.lockLost) throw new WarehouseError(this.lockLost);
    try {
      return await withSession<Connection, T>(await this.getPool(), fn);
    } catch (e) {
      // a statement cancelled because the run lock was lost fails with that reason
      if (this.lockLost) throw new WarehouseError(this.lockLost);
      throw e;
    }
  }

  /** Tables and views of the database and every external table (one round trip). */
  async listRelations(conn?: Connection): Promise<CatalogEntry[]> {
    const q = this.dialect.catalogQuery();
    const rows = await (conn ? conn.query(q) : this.withConnection((c) => c.query(q)));
    const out = new Map<string, CatalogEntry>();
    for (const r of rows) {
      const entry: CatalogEntry = {
        database: String(r.database),
        schema: String(r.schema),
        identifier: String(r.identifier),
        kind: r.kind === 'view' ? 'view' : r.kind === 'external' ? 'external' : 'table',
      };
      const key = `${entry.schema}.${entry.identifier}`.toLowerCase();
      // a name listed twice: the external table is what it is
      if (!out.has(key) || entry.kind === 'external') out.set(key, entry);
    }
    return [...out.values()];
  }

  async listColumns(): Promise<Map<string, Column[]>> {
    const rows = await this.withConnection((c) => c.query(this.dialect.columnsQuery()));
    return columnsByRelation(rows, { database: 'database', schema: 'schema', identifier: 'identifier', name: 'name', type: 'type' });
  }

  /** The connected database's relations in these schemas, external tables included. */
  async readCatalog(schemas: Array<{ database?: string; schema: string }>): Promise<CatalogTable[]> {
    const d = this.dialect;
    return readCatalogWith(this, schemas, (_db, list) => ({ tables: d.catalogTablesQuery(list), columns: d.catalogColumnsQuery(list) }), { rowCountEstimated: true, perDatabase: false, defaultDatabase: this.database });
  }

  async readGrants(conn: Connection, rel: Relation): Promise<GrantMap> {
    return grantsFromRows(await conn.query(this.dialect.showGrants(rel)), { grantee: 'grantee', privilege: 'privilege' });
  }

  /** From the catalog; late-binding views and external tables are not in it, so those are asked for next. */
  async getColumns(conn: Connection, rel: Relation): Promise<Column[]> {
    const columns = toColumns(await conn.query(this.dialect.describeColumns(rel)));
    return columns.length ? columns : toColumns(await conn.query(this.dialect.describeUnboundColumns(rel)));
  }

  stageExternal(conn: Connection, request: ExternalStageRequest): Promise<{ message: string; statements: string[] }> {
    return stageSpectrumTable(conn, this.dialect, request, { iamRole: this.output.iam_role, catalogDatabase: this.output.spectrum_database });
  }

  /**
   * A seed whose config names `s3_location`: COPY the CSV (with a header
   * line) from S3 into `rel`, whose columns are the seed's, instead of
   * sending its rows. The IAM role: `iamRole`, else the output's, else the
   * cluster's default role.
   */
  async loadSeedFromLocation(conn: Connection, rel: Relation, columns: Column[], location: string, o: { iamRole?: string; region?: string; delimiter?: string } = {}): Promise<{ rows: number | undefined; statements: string[] }> {
    const sql = this.dialect.copyFromS3(rel, columns, location, o);
    const r = await conn.execute(sql);
    return { rows: r.rowsAffected, statements: [sql] };
  }

  async cancelAll(): Promise<void> {
    await (await this.pool)?.pool.cancelAll();
  }

  describe(): string {
    const o = this.output;
    if (o.method === 'data_api') {
      const where = o.cluster_identifier ? `cluster ${o.cluster_identifier}` : `workgroup ${o.workgroup_name}`;
      return `redshift (data api) ${where}/${this.database}${o.region ? ` in ${o.region}` : ''}${o.endpoint ? ` via ${o.endpoint}` : ''}`;
    }
    return `redshift ${o.user}@${o.host}:${o.port}/${this.database}`;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await (await pool)?.close();
    const lock = this.lock;
    this.lock = undefined;
    await lock?.end().catch(() => undefined);
    const lease = this.lease;
    this.lease = undefined;
    if (lease) {
      await lease.keeper.stop();
      // ends the transaction: the lock is free at once (the session itself lingers for its keep-alive, holding nothing)
      if (!lease.keeper.lost) await lease.session.query('rollback').catch(() => undefined);
    }
    this.calls?.destroy?.();
    this.calls = undefined;
  }
}

export const redshiftAdapterFactory = defineAdapter({
  type: 'redshift',
  outputSchema: redshiftOutputSchema,
  databaseOf: redshiftDatabaseName,
  create: (output, opts) => new RedshiftAdapter(output, opts.threads),
});
