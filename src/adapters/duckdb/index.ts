import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { WarehouseError } from '../../errors.js';
import { columnsByRelation, readCatalogWith, toColumns } from '../catalog-rows.js';
import { defineAdapter } from '../factory.js';
import { withSession } from '../pool.js';
import type { Adapter, CatalogEntry, CatalogTable, Column, Connection, Relation, RunLockOptions } from '../types.js';
import { DuckDBDialect } from './dialect.js';
import { DuckDBPool, type DuckDBSession } from './connection.js';

export const duckdbOutputSchema = z
  .object({
    type: z.literal('duckdb'),
    path: z.string().default(':memory:'),
    database: z.string().optional(),
    schema: z.string().default('main'),
    threads: z.number().int().positive().max(256, { message: 'must be at most 256 (one connection per thread)' }).default(4),
    extensions: z.array(z.string()).default([]),
    settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    lake_root: z.string().optional(),
    /** a local lake_root outside the project directory is used only when this says so */
    allow_lake_outside_project: z.boolean().optional(),
    /** other DuckDB files reachable from this one, as `<alias>.<schema>.<table>` (e.g. production's, for --defer) */
    attach: z
      .array(
        z
          .object({
            path: z.string(),
            alias: z.string().optional(),
            read_only: z.boolean().default(true),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type DuckDBOutput = z.infer<typeof duckdbOutputSchema>;

/** DuckDB names a file's catalog after the file's stem: dev.duckdb → dev. */
export function duckdbDatabaseName(output: DuckDBOutput): string {
  if (output.database) return output.database;
  if (output.path === ':memory:' || output.path === '') return 'memory';
  const base = basename(output.path);
  const dot = base.indexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

export class DuckDBAdapter implements Adapter {
  readonly dialect = new DuckDBDialect();
  readonly database: string;
  private pool: DuckDBPool | undefined;
  private opening: Promise<DuckDBPool> | undefined;
  /** how to wait for a file another process holds (acquireRunLock) */
  private lockOptions: RunLockOptions = {};

  constructor(
    private readonly output: DuckDBOutput,
    private readonly projectDir: string,
    private readonly threads: number,
  ) {
    this.database = duckdbDatabaseName(output);
  }

  private filePath(): string {
    const p = this.output.path;
    if (p === ':memory:' || p === '') return ':memory:';
    return isAbsolute(p) ? p : resolve(this.projectDir, p);
  }

  private async open(lock: RunLockOptions = {}): Promise<DuckDBPool> {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const file = this.filePath();
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const deadline = lock.waitSeconds === undefined ? 0 : Date.now() + lock.waitSeconds * 1000;
    let told = false;
    let instance;
    for (;;) {
      try {
        instance = await DuckDBInstance.create(file);
        break;
      } catch (e) {
        const text = firstLine(e);
        // DuckDB lets one process at a time write a file: another tsql run (or a client) has it open
        if (!/Could not set lock on file/i.test(text)) throw new WarehouseError(`cannot open DuckDB database ${file}: ${text}`);
        const pid = /PID (\d+)/.exec(text)?.[1];
        const message = `another tsql run holds ${file}${pid ? ` (process ${pid})` : ''}`;
        if (Date.now() >= deadline) throw new WarehouseError(`${message}: DuckDB lets one process at a time use a file; wait for it to finish, or pass --wait [SECONDS] to queue behind it`);
        if (!told) lock.onWait?.(`${message}; waiting${Number.isFinite(lock.waitSeconds) ? ` up to ${lock.waitSeconds} s` : ''}`);
        told = true;
        await new Promise((r) => setTimeout(r, Math.min(500, Math.max(50, deadline - Date.now()))));
      }
    }
    const setup = async (s: DuckDBSession) => {
      try {
        await this.configure(s);
      } catch (e) {
        throw new WarehouseError(`cannot set up DuckDB session: ${firstLine(e)}`);
      }
    };
    return new DuckDBPool(instance, Math.max(1, this.threads), setup);
  }

  /** Extensions (loaded, installed first when missing), settings and lake access, on every new connection. */
  private async configure(s: DuckDBSession): Promise<void> {
    for (const ext of this.output.extensions) await loadExtension(s, ext);
    for (const [k, v] of Object.entries(this.output.settings)) {
      const value = typeof v === 'string' ? this.dialect.quoteString(v) : String(v);
      await s.execute(`set ${k} = ${value}`);
    }
    if (this.output.lake_root?.startsWith('s3://')) await this.configureS3(s);
    for (const a of this.output.attach) {
      const file = isAbsolute(a.path) ? a.path : resolve(this.projectDir, a.path);
      const alias = a.alias ?? duckdbDatabaseName({ ...this.output, path: a.path, database: undefined });
      try {
        await s.execute(`attach if not exists ${this.dialect.quoteString(file)} as ${this.dialect.quoteIdentifier(alias)}${a.read_only ? ' (read_only)' : ''}`);
      } catch (e) {
        throw new WarehouseError(`cannot attach ${a.path} as '${alias}': ${firstLine(e)}`);
      }
    }
  }

  /**
   * An s3:// lake root: httpfs, with credentials from the environment
   * (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN / AWS_REGION),
   * or the AWS credential chain when those are not set. The secret is
   * session-scoped and this statement is never logged or written to target/.
   */
  private async configureS3(s: DuckDBSession): Promise<void> {
    await loadExtension(s, 'httpfs');
    const env = process.env;
    const q = (v: string) => this.dialect.quoteString(v);
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
      const parts = ['type s3', `key_id ${q(env.AWS_ACCESS_KEY_ID)}`, `secret ${q(env.AWS_SECRET_ACCESS_KEY)}`];
      if (env.AWS_SESSION_TOKEN) parts.push(`session_token ${q(env.AWS_SESSION_TOKEN)}`);
      const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
      if (region) parts.push(`region ${q(region)}`);
      await s.execute(`create or replace temporary secret tsql_lake (${parts.join(', ')})`);
    } else {
      await loadExtension(s, 'aws');
      await s.execute('create or replace temporary secret tsql_lake (type s3, provider credential_chain)');
    }
  }

  private async getPool(): Promise<DuckDBPool> {
    if (this.pool) return this.pool;
    this.opening ??= this.open(this.lockOptions);
    this.pool = await this.opening;
    return this.pool;
  }

  /** The engine locks the file for the process that opens it: opening it is taking the run lock. */
  async acquireRunLock(opts: RunLockOptions): Promise<void> {
    this.lockOptions = opts;
    // a file that does not exist yet is created on first use (never by a run that stops at a mistake), under the same lock options
    if (this.pool || this.opening || this.filePath() === ':memory:' || !existsSync(this.filePath())) return;
    this.opening = this.open(opts);
    try {
      this.pool = await this.opening;
    } catch (e) {
      this.opening = undefined;
      throw e;
    }
  }

  async withConnection<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    return withSession<Connection, T>(await this.getPool(), fn);
  }

  async listRelations(conn?: Connection): Promise<CatalogEntry[]> {
    // Reading the catalog must not create a database file as a side effect.
    const file = this.filePath();
    if (!this.pool && file !== ':memory:' && !existsSync(file)) return [];
    const q = `select table_catalog, table_schema, table_name, table_type from information_schema.tables where table_catalog = ${this.dialect.quoteString(this.database)}`;
    const rows = await (conn ? conn.query(q) : this.withConnection((c) => c.query(q)));
    return rows.map((r) => ({
      database: String(r.table_catalog),
      schema: String(r.table_schema),
      identifier: String(r.table_name),
      kind: r.table_type === 'VIEW' ? 'view' : 'table',
    }));
  }

  async listColumns(): Promise<Map<string, Column[]>> {
    const file = this.filePath();
    if (!this.pool && file !== ':memory:' && !existsSync(file)) return new Map();
    const rows = await this.withConnection((c) =>
      c.query(
        `select table_catalog, table_schema, table_name, column_name, data_type from information_schema.columns where table_catalog = ${this.dialect.quoteString(this.database)} order by table_schema, table_name, ordinal_position`,
      ),
    );
    return columnsByRelation(rows, { database: 'table_catalog', schema: 'table_schema', identifier: 'table_name', name: 'column_name', type: 'data_type' });
  }

  async readCatalog(schemas: Array<{ database?: string; schema: string }>): Promise<CatalogTable[]> {
    const file = this.filePath();
    if (!this.pool && file !== ':memory:' && !existsSync(file)) return [];
    const d = this.dialect;
    return readCatalogWith(this, schemas, (db, list) => ({ tables: d.catalogTablesQuery(db!, list), columns: d.catalogColumnsQuery(db!, list) }), { rowCountEstimated: true, perDatabase: true, defaultDatabase: this.database });
  }

  async getColumns(conn: Connection, rel: Relation): Promise<Column[]> {
    return toColumns(await conn.query(this.dialect.describeColumns({ ...rel, database: rel.database ?? this.database })));
  }

  /** Interrupts what runs and waits (up to 10 s) until it has stopped, so closing afterwards cannot hang. */
  async cancelAll(): Promise<void> {
    const stopped = (await this.pool?.interruptAll(10_000)) ?? true;
    if (!stopped) throw new Error(`duckdb: a statement on ${this.filePath()} did not stop within 10 s of the interrupt`);
  }

  describe(): string {
    return `duckdb ${this.filePath()} (database ${this.database})`;
  }

  async close(): Promise<void> {
    this.pool?.closeAll();
    this.pool = undefined;
    this.opening = undefined;
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

async function loadExtension(s: DuckDBSession, ext: string): Promise<void> {
  try {
    await s.execute(`load ${ext}`);
  } catch {
    await s.execute(`install ${ext}`);
    await s.execute(`load ${ext}`);
  }
}

export const duckdbAdapterFactory = defineAdapter({
  type: 'duckdb',
  outputSchema: duckdbOutputSchema,
  databaseOf: duckdbDatabaseName,
  create: (output, opts) => new DuckDBAdapter(output, opts.projectDir, opts.threads),
});
