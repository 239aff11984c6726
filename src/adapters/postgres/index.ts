import { grantsFromRows } from '../grant-rows.js';
import type pg from 'pg';
import { z } from 'zod';
import { columnsByRelation, readCatalogWith, toColumns } from '../catalog-rows.js';
import { defineAdapter } from '../factory.js';
import { withSession } from '../pool.js';
import type { Adapter, CatalogEntry, CatalogTable, Column, Connection, GrantMap, Relation, RunLockOptions } from '../types.js';
import type { PgPool, PgPoolOptions } from './connection.js';
import { PostgresDialect } from './dialect.js';

/** A name or number (YAML and env_var() turn `12345` into a number). */
const text = z.union([z.string(), z.number()]).transform(String);

export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

export const postgresOutputSchema = z
  .object({
    type: z.literal('postgres'),
    host: z.string().default('localhost'),
    port: z.coerce.number().int().positive().default(5432),
    user: text,
    password: text.optional(),
    /** dbt-postgres's alias of password */
    pass: text.optional(),
    dbname: text.optional(),
    /** dbt's alias of dbname */
    database: text.optional(),
    schema: z.string().default('public'),
    sslmode: z.enum(SSL_MODES).default('prefer'),
    threads: z.number().int().positive().max(256, { message: 'must be at most 256 (one connection per thread)' }).default(4),
    /** seconds */
    connect_timeout: z.number().positive().default(10),
    search_path: z.string().optional(),
    /** seconds of idleness before TCP keepalives start */
    keepalives_idle: z.number().int().nonnegative().optional(),
    lake_root: z.string().optional(),
    /** a local lake_root outside the project directory is used only when this says so */
    allow_lake_outside_project: z.boolean().optional(),
    role: z.string().optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.dbname === undefined && o.database === undefined) ctx.addIssue({ code: 'custom', path: ['dbname'], message: 'is required (the database to connect to)' });
    if (o.dbname !== undefined && o.database !== undefined && o.dbname !== o.database) {
      ctx.addIssue({ code: 'custom', path: ['database'], message: `names another database than dbname (${o.dbname}); give one of them` });
    }
    if (o.pass !== undefined && o.password !== undefined && o.pass !== o.password) {
      ctx.addIssue({ code: 'custom', path: ['pass'], message: 'is another password than password (pass is dbt\'s other name for it); give one of them' });
    }
  });

export type PostgresOutput = z.infer<typeof postgresOutputSchema>;

export function postgresDatabaseName(output: PostgresOutput): string {
  return (output.dbname ?? output.database)!;
}

/** libpq's sslmode as pg's `ssl` option. `prefer` tries SSL first (see PgPoolOptions.sslFallback). */
export function sslOption(mode: PostgresOutput['sslmode']): pg.ClientConfig['ssl'] {
  switch (mode) {
    case 'disable':
      return false;
    case 'prefer':
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    default:
      return { rejectUnauthorized: true };
  }
}

/** A server option value for the startup `options` (`-c name=value`): spaces and backslashes escaped. */
function startupOption(name: string, value: string): string {
  return `-c ${name}=${value.replace(/\\/g, '\\\\').replace(/ /g, '\\ ')}`;
}

/** The output block as pg's connection settings. */
export function pgClientConfig(output: PostgresOutput): pg.ClientConfig {
  return {
    host: output.host,
    port: output.port,
    user: output.user,
    password: output.password ?? output.pass,
    database: postgresDatabaseName(output),
    ssl: sslOption(output.sslmode),
    connectionTimeoutMillis: output.connect_timeout * 1000,
    keepAlive: output.keepalives_idle !== undefined,
    keepAliveInitialDelayMillis: (output.keepalives_idle ?? 0) * 1000,
    options: output.search_path ? startupOption('search_path', output.search_path) : undefined,
    application_name: 'tsql',
  };
}

export class PostgresAdapter implements Adapter {
  readonly database: string;
  private pool: Promise<PgPool> | undefined;
  /** the run lock's connection (acquireRunLock), closed last */
  private lock: pg.Client | undefined;
  /** set once the run lock is held: the run's connections then name it in application_name */
  private runName: string | undefined;

  constructor(
    protected readonly output: PostgresOutput,
    protected readonly threads: number,
    readonly dialect: PostgresDialect = new PostgresDialect(),
  ) {
    this.database = postgresDatabaseName(output);
  }

  protected poolOptions(): PgPoolOptions {
    const role = this.output.role;
    return {
      client: { ...pgClientConfig(this.output), application_name: this.runName ?? 'tsql' },
      dialect: this.dialect,
      size: Math.max(1, this.threads),
      sslFallback: this.output.sslmode === 'prefer',
      setup: role
        ? async (s) => {
            await s.execute(`set role ${this.dialect.quoteIdentifier(role)}`);
          }
        : undefined,
    };
  }

  /** The driver (pg, pg-copy-streams) loads on first use, not on every tsql start. */
  private getPool(): Promise<PgPool> {
    this.pool ??= import('./connection.js').then((m) => new m.PgPool(this.poolOptions()));
    return this.pool;
  }

  async withConnection<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    return withSession<Connection, T>(await this.getPool(), fn);
  }

  /** Tables (plain and partitioned) and views of every user schema of the database. */
  protected catalogQuery(): string {
    return [
      "select current_database() as database, n.nspname as schema, c.relname as identifier, case when c.relkind = 'v' then 'view' else 'table' end as kind",
      'from pg_catalog.pg_class c',
      'join pg_catalog.pg_namespace n on n.oid = c.relnamespace',
      "where c.relkind in ('r', 'p', 'v') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp\\_%'",
    ].join('\n');
  }

  /** Every column of the catalog's relations, in order, with full types. */
  protected columnsQuery(): string {
    return [
      'select current_database() as database, n.nspname as schema, c.relname as identifier, a.attname as name, format_type(a.atttypid, a.atttypmod) as type',
      'from pg_catalog.pg_attribute a',
      'join pg_catalog.pg_class c on c.oid = a.attrelid',
      'join pg_catalog.pg_namespace n on n.oid = c.relnamespace',
      "where c.relkind in ('r', 'p', 'v') and a.attnum > 0 and not a.attisdropped",
      "  and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp\\_%'",
      'order by n.nspname, c.relname, a.attnum',
    ].join('\n');
  }

  async listRelations(conn?: Connection): Promise<CatalogEntry[]> {
    const q = this.catalogQuery();
    const rows = await (conn ? conn.query(q) : this.withConnection((c) => c.query(q)));
    return rows.map((r) => ({
      database: String(r.database),
      schema: String(r.schema),
      identifier: String(r.identifier),
      kind: r.kind === 'view' ? 'view' : 'table',
    }));
  }

  async listColumns(): Promise<Map<string, Column[]>> {
    const rows = await this.withConnection((c) => c.query(this.columnsQuery()));
    return columnsByRelation(rows, { database: 'database', schema: 'schema', identifier: 'identifier', name: 'name', type: 'type' });
  }

  /** The connected database's relations in these schemas (a PostgreSQL session sees one database). */
  async readCatalog(schemas: Array<{ database?: string; schema: string }>): Promise<CatalogTable[]> {
    const d = this.dialect;
    return readCatalogWith(this, schemas, (_db, list) => ({ tables: d.catalogTablesQuery(list), columns: d.catalogColumnsQuery(list) }), { rowCountEstimated: true, perDatabase: false, defaultDatabase: this.database });
  }

  async readGrants(conn: Connection, rel: Relation): Promise<GrantMap> {
    return grantsFromRows(await conn.query(this.dialect.showGrants(rel)), { grantee: 'grantee', privilege: 'privilege' });
  }

  async getColumns(conn: Connection, rel: Relation): Promise<Column[]> {
    return toColumns(await conn.query(this.dialect.describeColumns(rel)));
  }

  /** The connection settings of the run lock's connection (Redshift: its own). */
  protected lockClientConfig(): pg.ClientConfig {
    return pgClientConfig(this.output);
  }

  async acquireRunLock(opts: RunLockOptions): Promise<void> {
    const m = await import('./run-lock.js');
    const id = m.runIdentity(this.database, this.output.schema);
    this.lock = await m.acquirePgRunLock({ client: this.lockClientConfig(), database: this.database, schema: this.output.schema, engine: this.dialect.type, sslFallback: this.output.sslmode === 'prefer' }, id, opts);
    this.runName = m.workerApplicationName(id);
  }

  async cancelAll(): Promise<void> {
    await (await this.pool)?.cancelAll();
  }

  describe(): string {
    const o = this.output;
    return `${this.dialect.type} ${o.user}@${o.host}:${o.port}/${this.database}`;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await (await pool)?.end();
    const lock = this.lock;
    this.lock = undefined;
    await lock?.end().catch(() => undefined);
  }
}

export const postgresAdapterFactory = defineAdapter({
  type: 'postgres',
  outputSchema: postgresOutputSchema,
  databaseOf: postgresDatabaseName,
  create: (output, opts) => new PostgresAdapter(output, opts.threads),
});
