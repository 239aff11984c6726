import { grantsFromRows } from '../grant-rows.js';
import type { ConnectionOptions } from 'snowflake-sdk';
import { columnsByRelation, readCatalogWith, toColumns } from '../catalog-rows.js';
import { defineAdapter } from '../factory.js';
import { withSession } from '../pool.js';
import type { Adapter, CatalogEntry, CatalogTable, Column, Connection, ExternalStageRequest, GrantMap, Relation, RelationKind, UnloadRequest } from '../types.js';
import type { SnowflakePool } from './connection.js';
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

  private getPool(): Promise<SnowflakePool> {
    this.pool ??= import('./connection.js').then(({ SnowflakePool }) => {
      const o = this.output;
      return new SnowflakePool({
        connection: this.connectionOptions(),
        dialect: this.dialect,
        size: Math.max(1, this.threads),
        settings: { retries: o.retry_on_transient_errors, putThresholdRows: o.seed_put_threshold_rows },
        describe: () => this.describe(),
        setup: o.query_tag ? [`alter session set query_tag = ${this.dialect.quoteString(o.query_tag)}`] : [],
        secrets: [o.password, o.token, o.private_key, o.private_key_passphrase].filter((s): s is string => !!s),
      });
    });
    return this.pool;
  }

  async withConnection<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    return withSession(await this.getPool(), fn);
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
  }
}

export const snowflakeAdapterFactory = defineAdapter({
  type: 'snowflake',
  outputSchema: snowflakeOutputSchema,
  databaseOf: (o) => o.database,
  create: (output, opts) => new SnowflakeAdapter(output, opts.threads),
});
