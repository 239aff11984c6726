import { grantsFromRows } from '../grant-rows.js';
import type pg from 'pg';
import { columnsByRelation, readCatalogWith, toColumns } from '../catalog-rows.js';
import { defineAdapter } from '../factory.js';
import { withSession } from '../pool.js';
import { sslOption } from '../postgres/index.js';
import type { Adapter, CatalogEntry, CatalogTable, Column, Connection, ExternalStageRequest, GrantMap, Relation, RunLockOptions } from '../types.js';
import type { DataApiCalls, DataApiSettings } from './data-api.js';
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
  /** the run lock's connection (acquireRunLock), closed last */
  private lock: pg.Client | undefined;

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
      setup: searchPath ? async (s) => void (await s.execute(`set search_path to ${searchPath}`)) : undefined,
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
   * `method: pg`: a lock table held in an open transaction (run-lock.ts).
   * The Data API has no connection to hold a lock on for the run: no run lock there.
   */
  async acquireRunLock(opts: RunLockOptions): Promise<void> {
    const o = this.output;
    if (o.method === 'data_api') return;
    const [{ acquireRedshiftRunLock }, { runIdentity }] = await Promise.all([import('./run-lock.js'), import('../postgres/run-lock.js')]);
    const id = runIdentity(this.database, o.schema);
    this.lock = await acquireRedshiftRunLock({ client: this.pgClientConfig(o), database: this.database, schema: o.schema, dialect: this.dialect, sslFallback: o.sslmode === 'prefer' }, id, opts);
  }

  private async dataApiPool(o: RedshiftDataApiOutput): Promise<{ pool: SessionPool; close: () => Promise<void> }> {
    const { DataApiPool, DataApiSession, sdkCalls } = await import('./data-api.js');
    const sdk = this.dataApiCalls ? undefined : sdkCalls({ region: o.region, endpoint: o.endpoint, maxAttempts: o.max_attempts });
    const calls = this.dataApiCalls ?? sdk!;
    const settings: DataApiSettings = {
      pollInitialMs: o.poll_initial_ms,
      pollMaxMs: o.poll_max_ms,
      sessionKeepAliveSeconds: o.session_keep_alive_seconds,
      busyAttempts: 8,
    };
    const target = { clusterIdentifier: o.cluster_identifier, workgroupName: o.workgroup_name, database: this.database, dbUser: o.db_user, secretArn: o.secret_arn };
    const pool = new DataApiPool(calls, Math.max(1, this.threads), (inFlight) => new DataApiSession(calls, target, settings, this.dialect, inFlight, () => this.describe()));
    return { pool, close: async () => sdk?.destroy() };
  }

  async withConnection<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    return withSession<Connection, T>(await this.getPool(), fn);
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

  /** From the catalog; late-binding views and external tables are not in it, so those are asked for next. */
  async readGrants(conn: Connection, rel: Relation): Promise<GrantMap> {
    return grantsFromRows(await conn.query(this.dialect.showGrants(rel)), { grantee: 'grantee', privilege: 'privilege' });
  }

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
  }
}

export const redshiftAdapterFactory = defineAdapter({
  type: 'redshift',
  outputSchema: redshiftOutputSchema,
  databaseOf: redshiftDatabaseName,
  create: (output, opts) => new RedshiftAdapter(output, opts.threads),
});
