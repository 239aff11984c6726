import { grantsFromRows } from '../grant-rows.js';
import type pg from 'pg';
import { z } from 'zod';
import { columnsByRelation, readCatalogWith, toColumns } from '../catalog-rows.js';
import { defineAdapter } from '../factory.js';
import { withSession } from '../pool.js';
import type { Adapter, CatalogEntry, CatalogTable, Column, Connection, GrantMap, Relation, RunLockOptions } from '../types.js';
import type { PgPool, PgPoolOptions } from './connection.js';
import { PostgresDialect } from './dialect.js';
import { SSL_FILE_KEYS, SSL_MODES, SYSTEM_ROOTS, sslOption, type SslMode } from './tls.js';

export { SSL_MODES, sslOption } from './tls.js';

/** A name or number (YAML and env_var() turn `12345` into a number). */
const text = z.union([z.string(), z.number()]).transform(String);

/** A certificate file's path (relative to the project directory, or absolute). */
const filePath = z.string().min(1);

/**
 * The connection keys dbt-postgres documents beyond host, user and database,
 * shared with Redshift's `method: pg` where dbt-redshift documents them too.
 */
export const pgConnectKeys = {
  sslmode: z.enum(SSL_MODES).default('prefer'),
  /** seconds */
  connect_timeout: z.number().positive().default(10),
  /** seconds of idleness before TCP keepalives start */
  keepalives_idle: z.number().int().nonnegative().optional(),
  search_path: z.string().optional(),
  /** times a connection is opened again after a failure that may pass (dbt's default: 1) */
  retries: z.number().int().min(0).max(100).default(1),
};

/** sslrootcert, sslcert, sslkey: none with sslmode disable; sslcert and sslkey together. */
function checkSslFiles(o: { sslmode?: string } & Partial<Record<(typeof SSL_FILE_KEYS)[number], string>>, ctx: z.RefinementCtx): void {
  for (const key of SSL_FILE_KEYS) {
    if (o[key] !== undefined && o.sslmode === 'disable') ctx.addIssue({ code: 'custom', path: [key], message: 'is not used with sslmode disable (no SSL); remove it or choose another sslmode' });
  }
  if ((o.sslcert === undefined) !== (o.sslkey === undefined)) {
    const [given, missing] = o.sslcert !== undefined ? ['sslcert', 'sslkey'] : ['sslkey', 'sslcert'];
    ctx.addIssue({ code: 'custom', path: [given], message: `needs ${missing} too (a client certificate is sent with its private key)` });
  }
}

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
    ...pgConnectKeys,
    /** prefer, or verify-full with `sslrootcert: system` (sslModeOf) */
    sslmode: z.enum(SSL_MODES).optional(),
    /** the CA certificates the server's must be signed by (libpq's sslrootcert); `system`: the system's (libpq 16) */
    sslrootcert: filePath.optional(),
    /** the client certificate and its private key, for servers that ask for one */
    sslcert: filePath.optional(),
    sslkey: filePath.optional(),
    /** the connections' name on the server (pg_stat_activity); PostgreSQL keeps 63 bytes */
    application_name: z.string().min(1).refine((v) => Buffer.byteLength(v) <= 63, { message: 'must be at most 63 bytes (PostgreSQL would cut it)' }).optional(),
    threads: z.number().int().positive().max(256, { message: 'must be at most 256 (one connection per thread)' }).default(4),
    lake_root: z.string().optional(),
    /** a local lake_root outside the project directory is used only when this says so */
    allow_lake_outside_project: z.boolean().optional(),
    role: z.string().optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    checkSslFiles(o, ctx);
    // libpq 16's rule: any host can get a certificate a public CA signs, so only the host name check makes it safe
    if (o.sslrootcert === SYSTEM_ROOTS && o.sslmode !== undefined && o.sslmode !== 'verify-full') {
      ctx.addIssue({ code: 'custom', path: ['sslmode'], message: 'must be verify-full with sslrootcert: system (as in libpq: a certificate from any public CA would pass a weaker check)' });
    }
    if (o.dbname === undefined && o.database === undefined) ctx.addIssue({ code: 'custom', path: ['dbname'], message: 'is required (the database to connect to)' });
    if (o.dbname !== undefined && o.database !== undefined && o.dbname !== o.database) {
      ctx.addIssue({ code: 'custom', path: ['database'], message: `names another database than dbname (${o.dbname}); give one of them` });
    }
    if (o.pass !== undefined && o.password !== undefined && o.pass !== o.password) {
      ctx.addIssue({ code: 'custom', path: ['pass'], message: 'is another password than password (pass is dbt\'s other name for it); give one of them' });
    }
  });

export type PostgresOutput = z.infer<typeof postgresOutputSchema>;

/** The profile's sslmode: prefer when not given, verify-full with `sslrootcert: system` (as in libpq 16). */
export function sslModeOf(output: Pick<PostgresOutput, 'sslmode' | 'sslrootcert'>): SslMode {
  return output.sslmode ?? (output.sslrootcert === SYSTEM_ROOTS ? 'verify-full' : 'prefer');
}

export function postgresDatabaseName(output: PostgresOutput): string {
  return (output.dbname ?? output.database)!;
}

/** A server option value for the startup `options` (`-c name=value`): spaces and backslashes escaped. */
function startupOption(name: string, value: string): string {
  return `-c ${name}=${value.replace(/\\/g, '\\\\').replace(/ /g, '\\ ')}`;
}

/**
 * The output block as pg's connection settings (certificate files read, paths
 * relative to the project directory).
 */
export function pgClientConfig(output: PostgresOutput, projectDir?: string): pg.ClientConfig {
  return {
    host: output.host,
    port: output.port,
    user: output.user,
    password: output.password ?? output.pass,
    database: postgresDatabaseName(output),
    ssl: sslOption(sslModeOf(output), output, projectDir),
    connectionTimeoutMillis: output.connect_timeout * 1000,
    keepAlive: output.keepalives_idle !== undefined,
    keepAliveInitialDelayMillis: (output.keepalives_idle ?? 0) * 1000,
    options: output.search_path ? startupOption('search_path', output.search_path) : undefined,
    application_name: output.application_name ?? 'tsql',
  };
}

export class PostgresAdapter implements Adapter {
  readonly database: string;
  private pool: Promise<PgPool> | undefined;
  /** the run lock's connection (acquireRunLock), closed last */
  private lock: pg.Client | undefined;
  /**
   * set once the run lock is held: the run's connections then name it in
   * application_name (unless the profile names them) and mark themselves as
   * its workers (run-lock.ts)
   */
  private run: { name: string; markWorker: string } | undefined;

  constructor(
    protected readonly output: PostgresOutput,
    protected readonly threads: number,
    readonly dialect: PostgresDialect = new PostgresDialect(),
    /** where relative certificate paths start */
    protected readonly projectDir: string = process.cwd(),
  ) {
    this.database = postgresDatabaseName(output);
  }

  protected poolOptions(): PgPoolOptions {
    const role = this.output.role;
    const run = this.run;
    const statements = [...(run ? [run.markWorker] : []), ...(role ? [`set role ${this.dialect.quoteIdentifier(role)}`] : [])];
    return {
      client: { ...pgClientConfig(this.output, this.projectDir), application_name: this.output.application_name ?? run?.name ?? 'tsql' },
      dialect: this.dialect,
      size: Math.max(1, this.threads),
      sslFallback: sslModeOf(this.output) === 'prefer',
      retries: this.output.retries,
      setup: statements.length
        ? async (s) => {
            for (const sql of statements) await s.execute(sql);
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
    return pgClientConfig(this.output, this.projectDir);
  }

  async acquireRunLock(opts: RunLockOptions): Promise<void> {
    const m = await import('./run-lock.js');
    const id = m.runIdentity(this.database, this.output.schema);
    const target = { client: this.lockClientConfig(), database: this.database, schema: this.output.schema, engine: this.dialect.type, sslFallback: sslModeOf(this.output) === 'prefer', retries: this.output.retries };
    this.lock = await m.acquirePgRunLock(target, id, opts);
    this.run = { name: m.workerApplicationName(id), markWorker: m.markWorkerSql(id) };
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
  fileKeys: SSL_FILE_KEYS,
  fileKeyWords: { sslrootcert: SYSTEM_ROOTS },
  create: (output, opts) => new PostgresAdapter(output, opts.threads, undefined, opts.projectDir),
});
