/**
 * The Snowflake stand-in's engine (test only): Snowflake SQL executed on one
 * DuckDB instance. Snowflake databases are ATTACHed DuckDB files; each session
 * is its own DuckDB connection (temporary tables and transactions per
 * session); statements DuckDB lacks or answers differently (SHOW, DESCRIBE,
 * USE, stages, COPY, external tables, Snowflake's DDL status results and
 * implicit commits) are handled here, the rest is translated (translate.ts).
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DuckDBConnection, DuckDBInstance, DuckDBResultReader } from '@duckdb/node-api';
import { Bind, Engine, EngineSession, SessionContext, SfError, StageLocation, StatementResult } from './engine-types.js';
import { CatalogSnapshot, ExternalTableMeta, Meta, ObjectKind, StageMeta, TempTables, key, snapshot } from './catalog.js';
import { alreadyExists, canceled, compilation, mapDuckDBError, objectMissing } from './errors.js';
import { externalViewSql, refreshFiles } from './external-tables.js';
import { describeTable, informationSchema, showDatabases, showExternalTables, showSchemas, showStages, showTables, ShowScope } from './introspection.js';
import { col, readResult } from './duckdb-results.js';
import { Token, quoteIdent, quoteString, significant, splitStatements, tokenize } from './sql-lexer.js';
import { Group, Node, isGroup, isOp, isSig, isWord, parseTree, sigNodes, sourceText, splitArgs } from './sql-tree.js';
import {
  csvFieldSql, fileFormatType, listFiles, optBool, optFormat, optList, optString, parseOptions, parseStageRef, readCsvSql, unloadCopyOptions,
} from './stages.js';
import { translate, TranslateContext } from './translate.js';
import { applyGrant, parseComment, parseGrant, roleMissing, showGrants } from './access.js';

export interface DuckDBEngineOptions {
  /** where the engine keeps its DuckDB files and the default stage storage */
  directory: string;
  /** named stage (upper-case NAME or DB.SCHEMA.NAME) → local directory */
  stages?: Record<string, string>;
  /** s3://bucket/key maps to <s3Root>/bucket/key */
  s3Root?: string;
  /** create the database a login names when it does not exist (default true) */
  autoCreateDatabases?: boolean;
}

type Name = [string, string, string];

const status = (message: string, kind: StatementResult['kind'] = 'ddl'): StatementResult => ({
  columns: [col('status')],
  rows: [[message]],
  kind,
});

const now = () => new Date().toISOString().replace('T', ' ').replace('Z', '');

const qname = (n: string[]) => n.map(quoteIdent).join('.');

class DuckEngine implements Engine {
  readonly meta: Meta;
  readonly started = now();
  private readonly sessions = new Set<DuckSession>();
  private admin!: DuckDBConnection;
  constructor(
    readonly opts: DuckDBEngineOptions,
    readonly instance: DuckDBInstance,
  ) {
    this.meta = new Meta(opts.directory);
  }

  async init(): Promise<void> {
    this.admin = await this.instance.connect();
    const dir = join(this.opts.directory, 'databases');
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.duckdb')) continue;
      const name = decodeURIComponent(f.slice(0, -'.duckdb'.length));
      await this.admin.run(`ATTACH ${quoteString(join(dir, f))} AS ${quoteIdent(name)}`);
    }
  }

  databaseExists(name: string): Promise<string | undefined> {
    return this.admin
      .runAndReadAll(`SELECT database_name FROM duckdb_databases() WHERE upper(database_name) = upper(${quoteString(name)}) AND NOT internal AND database_name NOT IN ('memory', 'temp', 'system')`)
      .then((r) => (r.getRowsJson()[0]?.[0] as string | undefined) ?? undefined);
  }

  async createDatabase(name: string): Promise<void> {
    const file = join(this.opts.directory, 'databases', `${encodeURIComponent(name)}.duckdb`);
    await this.admin.run(`ATTACH ${quoteString(file)} AS ${quoteIdent(name)}`);
    await this.admin.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(name)}."PUBLIC"`);
    this.meta.data.databases[name.toUpperCase()] = { name, created: now() };
    this.meta.save();
  }

  async dropDatabase(name: string): Promise<void> {
    const file = join(this.opts.directory, 'databases', `${encodeURIComponent(name)}.duckdb`);
    await this.admin.run(`DETACH ${quoteIdent(name)}`);
    rmSync(file, { force: true });
    rmSync(`${file}.wal`, { force: true });
    this.meta.dropDatabase(name);
  }

  async openSession(initial: Omit<SessionContext, 'parameters'> & { parameters?: Record<string, string | number | boolean> }): Promise<EngineSession> {
    const conn = await this.instance.connect();
    await conn.run(`SET TimeZone = 'UTC'`);
    const context: SessionContext = { warehouse: initial.warehouse, role: initial.role, parameters: { ...(initial.parameters ?? {}) } };
    const s = new DuckSession(this, conn, context);
    if (initial.database) {
      let db = await this.databaseExists(initial.database);
      if (!db && this.opts.autoCreateDatabases !== false) {
        await this.createDatabase(initial.database);
        db = initial.database;
      }
      if (db) await s.useSchema(db, initial.schema ?? 'PUBLIC', initial.schema === undefined);
    }
    this.sessions.add(s);
    return s;
  }

  forget(s: DuckSession): void {
    this.sessions.delete(s);
  }

  /**
   * Snowflake's table locks: UPDATE, DELETE and MERGE lock their target table
   * until the statement ends, or inside an explicit transaction until it
   * commits or rolls back; another writer waits for the lock (up to the
   * session's LOCK_TIMEOUT, then 000625). DuckDB would instead fail one of two
   * concurrent writers with a conflict.
   */
  private readonly tableLocks = new Map<string, { owner: DuckSession; waiters: Array<() => void> }>();

  async lockTable(table: string, owner: DuckSession, signal: AbortSignal, timeoutSeconds: number): Promise<void> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
      const held = this.tableLocks.get(table);
      if (!held) {
        this.tableLocks.set(table, { owner, waiters: [] });
        return;
      }
      if (held.owner === owner) return;
      if (signal.aborted) throw canceled();
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new SfError('000625', `Statement '${table}' has locked table '${table.split('.').pop()}' in transaction and this lock has not yet been released. Your statement was aborted because the number of waiters for this lock exceeds the 20 statements limit or its lock timeout was reached.`, '57014');
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, left);
        signal.addEventListener('abort', done, { once: true });
        held.waiters.push(done);
      });
    }
  }

  /** Releases every table lock `owner` holds. */
  unlockTables(owner: DuckSession): void {
    for (const [table, held] of this.tableLocks) {
      if (held.owner !== owner) continue;
      this.tableLocks.delete(table);
      for (const wake of held.waiters) wake();
    }
  }

  async close(): Promise<void> {
    for (const s of [...this.sessions]) await s.close();
    this.admin.closeSync();
    this.instance.closeSync();
  }

  /** A stage's local root: created stages, opts.stages, internal stages. */
  stageRoot(ref: ReturnType<typeof parseStageRef>, resolve: (parts: string[]) => Name): string {
    const base = join(this.opts.directory, 'stages');
    if (ref.kind === 'user') return join(base, 'user');
    if (ref.kind === 'table') {
      const [db, s, n] = resolve(ref.parts);
      return join(base, 'table', db, s, n);
    }
    const [db, s, n] = resolve(ref.parts);
    const created = this.meta.data.stages[key(db, s, n)];
    if (created) return created.directory;
    const configured = this.opts.stages ?? {};
    for (const [k, dir] of Object.entries(configured)) {
      const ku = k.toUpperCase();
      if (ku === `${db}.${s}.${n}`.toUpperCase() || (ref.parts.length === 1 && ku === n.toUpperCase()) || ku === ref.parts.join('.').toUpperCase()) return dir;
    }
    throw objectMissing(`${db}.${s}.${n}`, 'Stage');
  }

  s3Path(url: string): string {
    const m = /^s3a?:\/\/(.*)$/i.exec(url);
    if (!m) throw new SfError('001008', compilation(`invalid URL '${url}'`), '22023');
    if (!this.opts.s3Root) throw new SfError('000603', `the stand-in has no s3Root for '${url}'`);
    return join(this.opts.s3Root, m[1]);
  }
}

class DuckSession implements EngineSession {
  private readonly temps: TempTables = new Map();
  private inTxn = false;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  constructor(
    private readonly engine: DuckEngine,
    private readonly conn: DuckDBConnection,
    readonly context: SessionContext,
  ) {}

  // ---- plumbing ----------------------------------------------------------

  execute(sql: string, binds: Record<string, Bind> | undefined, signal: AbortSignal): Promise<StatementResult> {
    const run = async (): Promise<StatementResult> => {
      if (signal.aborted) throw canceled();
      const onAbort = () => this.conn.interrupt();
      signal.addEventListener('abort', onAbort);
      try {
        let last: StatementResult = status('Statement executed successfully.', 'other');
        for (const stmt of splitStatements(sql)) {
          last = await this.statement(stmt, binds, signal);
          if (signal.aborted) throw canceled();
        }
        return last;
      } catch (e) {
        if (signal.aborted) throw canceled();
        throw mapDuckDBError(e, sql);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain.catch(() => undefined);
    this.conn.closeSync();
    this.engine.unlockTables(this);
    this.engine.forget(this);
  }

  resolveStage(stage: string): StageLocation {
    const text = stage.startsWith('@') ? stage : `@${stage}`;
    const ref = parseStageRef(text);
    const directory = this.engine.stageRoot(ref, (p) => this.resolve(p));
    mkdirSync(directory, { recursive: true });
    return { directory, path: ref.path };
  }

  private async q(sql: string): Promise<DuckDBResultReader> {
    try {
      return await this.conn.runAndReadAll(sql);
    } catch (e) {
      // what DuckDB ran: its error positions point into this, not into the statement received (errors.ts)
      if (e && typeof e === 'object' && !('duckSql' in e)) Object.assign(e, { duckSql: sql });
      throw e;
    }
  }

  /** Snowflake name resolution: 3 parts as written, fewer against the current database/schema. */
  resolve(parts: string[], action = 'query'): Name {
    if (parts.length >= 3) return [parts[parts.length - 3], parts[parts.length - 2], parts[parts.length - 1]];
    const db = this.context.database;
    if (!db) {
      throw new SfError('090105', `Cannot perform ${action}. This session does not have a current database. Call 'USE DATABASE', or use a qualified name.`, '22000');
    }
    if (parts.length === 2) return [db, parts[0], parts[1]];
    const schema = this.context.schema;
    if (!schema) {
      throw new SfError('090106', `Cannot perform ${action}. This session does not have a current schema. Call 'USE SCHEMA', or use a qualified name.`, '22000');
    }
    return [db, schema, parts[0]];
  }

  private temp(n: Name): string | undefined {
    for (const [duck, t] of this.temps) if (key(t.db, t.schema, t.name) === key(...n)) return duck;
    return undefined;
  }

  /** The DuckDB reference for a Snowflake table name (temporary tables live in temp.main). */
  private duck(n: Name): string {
    const t = this.temp(n);
    return t !== undefined ? `temp.main.${quoteIdent(t)}` : qname(n);
  }

  private async kindOf(n: Name): Promise<ObjectKind | 'TEMPORARY' | undefined> {
    if (this.temp(n) !== undefined) return 'TEMPORARY';
    const r = await this.q(
      `SELECT 'TABLE' FROM duckdb_tables() WHERE ${this.match(n, 'table_name')} UNION ALL SELECT 'VIEW' FROM duckdb_views() WHERE ${this.match(n, 'view_name')}`,
    );
    const k = r.getRowsJson()[0]?.[0] as string | undefined;
    if (!k) return undefined;
    if (k === 'VIEW' && this.engine.meta.object(...n)?.kind === 'EXTERNAL TABLE') return 'EXTERNAL TABLE';
    return k as ObjectKind;
  }

  private match(n: Name, nameCol: string): string {
    return `upper(database_name) = upper(${quoteString(n[0])}) AND upper(schema_name) = upper(${quoteString(n[1])}) AND upper(${nameCol}) = upper(${quoteString(n[2])}) AND NOT temporary`;
  }

  private async schemaExists(db: string, schema: string): Promise<boolean> {
    if (schema.toLowerCase() === 'main') return this.engine.meta.schemaName(db, 'main') !== undefined;
    const r = await this.q(`SELECT 1 FROM duckdb_schemas() WHERE upper(database_name) = upper(${quoteString(db)}) AND upper(schema_name) = upper(${quoteString(schema)})`);
    return r.currentRowCount > 0;
  }

  private async implicitCommit(): Promise<void> {
    if (this.inTxn) {
      await this.q('COMMIT');
      this.inTxn = false;
    }
    this.engine.unlockTables(this);
  }

  /** Runs `fn` in a DuckDB transaction unless the session already has one open. */
  private async atomically<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTxn) return fn();
    await this.q('BEGIN TRANSACTION');
    try {
      const r = await fn();
      await this.q('COMMIT');
      return r;
    } catch (e) {
      await this.q('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  async useSchema(db: string, schema: string | undefined, lenient = false): Promise<void> {
    this.context.database = db;
    if (schema !== undefined && (await this.schemaExists(db, schema))) {
      this.context.schema = schema;
      await this.q(`USE ${qname([db, schema])}`);
    } else {
      this.context.schema = lenient ? undefined : schema;
      await this.q(`USE ${quoteIdent(db)}`);
    }
  }

  private translateCtx(snap?: CatalogSnapshot, binds?: Record<string, Bind>, row = 0): TranslateContext {
    let seq = 0;
    return {
      database: this.context.database,
      schema: this.context.schema,
      warehouse: this.context.warehouse,
      role: this.context.role,
      user: 'STANDIN',
      resolveName: (parts) => {
        const up = parts.map((p) => p.toUpperCase());
        if (parts.length >= 2 && up[up.length - 2] === 'INFORMATION_SCHEMA' && snap) {
          const db = parts.length === 3 ? parts[0] : this.context.database;
          return db ? informationSchema(parts[parts.length - 1], db, snap) : undefined;
        }
        if (parts.length >= 2 && this.temps.size) {
          const n: Name | undefined = parts.length === 3 ? [parts[0], parts[1], parts[2]] : this.context.database ? [this.context.database, parts[0], parts[1]] : undefined;
          const t = n && this.temp(n);
          if (t !== undefined) return `temp.main.${quoteIdent(t)}`;
        }
        return undefined;
      },
      param: binds
        ? (text) => {
            const idx = text === '?' ? ++seq : Number(text.slice(1));
            const b = binds[String(idx)];
            if (!b) throw new SfError('002049', compilation(`Bind variable ${text} not set.`), '42601');
            const v = Array.isArray(b.value) ? b.value[row] : b.value;
            return bindLiteral(b.type, v ?? null);
          }
        : undefined,
    };
  }

  private async translated(sql: string, binds?: Record<string, Bind>, row = 0): Promise<string> {
    const snap = /INFORMATION_SCHEMA/i.test(sql) ? await this.snap() : undefined;
    return translate(sql, this.translateCtx(snap, binds, row));
  }

  private snap(): Promise<CatalogSnapshot> {
    return snapshot(this.conn, this.engine.meta, this.temps, this.engine.started);
  }

  // ---- dispatch ----------------------------------------------------------

  private async statement(sql: string, binds: Record<string, Bind> | undefined, signal: AbortSignal): Promise<StatementResult> {
    const toks = significant(tokenize(sql));
    const w = (i: number) => (toks[i]?.type === 'word' ? toks[i].value : '');
    switch (w(0)) {
      case 'BEGIN':
      case 'START':
        if (!this.inTxn) {
          await this.q('BEGIN TRANSACTION');
          this.inTxn = true;
        }
        return status('Statement executed successfully.', 'transaction');
      case 'COMMIT':
        try {
          if (this.inTxn) await this.q('COMMIT');
        } finally {
          this.inTxn = false;
          this.engine.unlockTables(this);
        }
        return status('Statement executed successfully.', 'transaction');
      case 'ROLLBACK':
        try {
          if (this.inTxn) await this.q('ROLLBACK');
        } finally {
          this.inTxn = false;
          this.engine.unlockTables(this);
        }
        return status('Statement executed successfully.', 'transaction');
      case 'USE':
        return this.use(toks);
      case 'SHOW':
        return this.show(toks);
      case 'DESCRIBE':
      case 'DESC':
        return this.describe(toks);
      case 'CREATE':
        await this.implicitCommit();
        return this.create(sql, toks);
      case 'DROP':
        await this.implicitCommit();
        return this.drop(toks);
      case 'ALTER':
        if (w(1) === 'SESSION') return this.alterSession(sql);
        await this.implicitCommit();
        return this.alter(sql, toks);
      case 'TRUNCATE': {
        await this.implicitCommit();
        let i = w(1) === 'TABLE' ? 2 : 1;
        const ifExists = w(i) === 'IF' && w(i + 1) === 'EXISTS';
        if (ifExists) i += 2;
        const { parts } = readName(toks, i);
        const n = this.resolve(parts, 'TRUNCATE');
        if (!(await this.kindOf(n))) {
          if (ifExists) return status('Statement executed successfully.');
          throw objectMissing(n.join('.'), 'Table');
        }
        await this.q(`DELETE FROM ${this.duck(n)}`);
        return status('Statement executed successfully.');
      }
      case 'COMMENT':
        await this.implicitCommit();
        return this.comment(toks);
      case 'GRANT':
      case 'REVOKE':
        await this.implicitCommit();
        return this.grant(toks);
      case 'COPY':
        return this.copy(sql, toks);
      case 'LIST':
      case 'LS':
        return this.list(toks);
      case 'REMOVE':
      case 'RM':
        return this.remove(toks);
      case 'SELECT': {
        const m = /^\s*SELECT\s+SYSTEM\$WAIT\s*\(\s*(\d+(?:\.\d+)?)\s*(?:,\s*'(\w+)'\s*)?\)\s*;?\s*$/i.exec(sql);
        if (m) return this.wait(Number(m[1]), m[2] ?? 'SECONDS', m[0], signal);
        return this.query(sql, binds, 'select');
      }
      case 'WITH':
      case 'VALUES':
        return this.query(sql, binds, 'select');
      case 'INSERT':
        return this.dml(sql, binds, 'insert');
      case 'UPDATE':
        return this.locked(toks, 1, signal, () => this.dml(sql, binds, 'update'));
      case 'DELETE':
        return this.locked(toks, w(1) === 'FROM' ? 2 : 1, signal, () => this.dml(sql, binds, 'delete'));
      case 'MERGE':
        return this.locked(toks, w(1) === 'INTO' ? 2 : 1, signal, () => this.dml(sql, binds, 'merge'));
      default:
        if (toks[0]?.text === '(') return this.query(sql, binds, 'select');
        return this.query(sql, binds, 'other');
    }
  }

  /** Runs a DML statement holding its target table's lock (Snowflake's locking; see DuckEngine.lockTable). */
  private async locked(toks: Token[], nameAt: number, signal: AbortSignal, run: () => Promise<StatementResult>): Promise<StatementResult> {
    const n = this.resolve(readName(toks, nameAt).parts);
    const temp = this.temp(n) !== undefined;
    if (!temp) await this.engine.lockTable(key(...n), this, signal, Number(this.context.parameters?.LOCK_TIMEOUT ?? 43200));
    try {
      return await run();
    } finally {
      if (!this.inTxn) this.engine.unlockTables(this);
    }
  }

  private async wait(n: number, unit: string, text: string, signal: AbortSignal): Promise<StatementResult> {
    const ms = unit.toUpperCase().startsWith('MILLI') ? n : unit.toUpperCase().startsWith('MIN') ? n * 60_000 : unit.toUpperCase().startsWith('HOUR') ? n * 3_600_000 : n * 1000;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        reject(canceled());
      }, { once: true });
    });
    const name = text.trim().replace(/^SELECT\s+/i, '').replace(/;$/, '').toUpperCase();
    return { columns: [col(name)], rows: [[`waited ${n} ${unit.toLowerCase()}`]], kind: 'select' };
  }

  private async query(sql: string, binds: Record<string, Bind> | undefined, kind: StatementResult['kind']): Promise<StatementResult> {
    const duck = await this.translated(sql, binds);
    const reader = await this.q(duck);
    return { ...readResult(reader), kind };
  }

  private async dml(sql: string, binds: Record<string, Bind> | undefined, kind: 'insert' | 'update' | 'delete' | 'merge'): Promise<StatementResult> {
    const arrayLen = binds ? Math.max(0, ...Object.values(binds).map((b) => (Array.isArray(b.value) ? b.value.length : 0))) : 0;
    let changed = 0;
    if (arrayLen > 0) {
      changed = await this.atomically(async () => {
        let total = 0;
        for (let r = 0; r < arrayLen; r++) total += (await this.q(await this.translated(sql, binds, r))).rowsChanged;
        return total;
      });
    } else {
      changed = (await this.q(await this.translated(sql, binds))).rowsChanged;
    }
    const label = { insert: 'number of rows inserted', update: 'number of rows updated', delete: 'number of rows deleted', merge: 'number of rows merged' }[kind];
    const columns = [col(label, 'fixed')];
    const rows = [[changed]];
    if (kind === 'update') {
      columns.push(col('number of multi-joined rows updated', 'fixed'));
      rows[0].push(0);
    }
    return { columns, rows, kind, rowsAffected: changed };
  }

  // ---- USE / ALTER SESSION ----------------------------------------------

  private async use(toks: Token[]): Promise<StatementResult> {
    let i = 1;
    const what = toks[1]?.type === 'word' && ['DATABASE', 'SCHEMA', 'WAREHOUSE', 'ROLE', 'SECONDARY'].includes(toks[1].value) ? toks[1].value : undefined;
    if (what) i = 2;
    if (what === 'SECONDARY') return status('Statement executed successfully.', 'use');
    const { parts } = readName(toks, i);
    const missing = () => new SfError('002043', compilation('Object does not exist, or operation cannot be performed.'), '02000');
    if (what === 'WAREHOUSE') this.context.warehouse = parts[0];
    else if (what === 'ROLE') this.context.role = parts[0];
    else if (what === 'DATABASE' || (!what && parts.length === 1)) {
      const db = await this.engine.databaseExists(parts[0]);
      if (!db) throw missing();
      await this.useSchema(parts[0], 'PUBLIC', true);
    } else {
      const db = parts.length >= 2 ? parts[parts.length - 2] : this.context.database;
      if (!db || !(await this.engine.databaseExists(db)) || !(await this.schemaExists(db, parts[parts.length - 1]))) throw missing();
      await this.useSchema(db, parts[parts.length - 1]);
    }
    return status('Statement executed successfully.', 'use');
  }

  private async alterSession(sql: string): Promise<StatementResult> {
    const nodes = parseTree(sql);
    const sig = sigNodes(nodes);
    const verb = (sig[2] as Token | undefined)?.value;
    if (verb === 'UNSET') {
      for (const n of sig.slice(3)) if (!isGroup(n) && n.type === 'word') delete this.context.parameters[n.value];
    } else {
      const opts = parseOptions(nodes.slice(nodes.indexOf(sig[2]) + 1));
      for (const [k, v] of Object.entries(opts)) {
        if (typeof v !== 'string') continue;
        this.context.parameters[k] = /^-?\d+$/.test(v) ? Number(v) : v === 'TRUE' ? true : v === 'FALSE' ? false : v;
        if (k === 'TIMEZONE') await this.q(`SET TimeZone = ${quoteString(v)}`);
      }
    }
    return status('Statement executed successfully.', 'alter_session');
  }

  // ---- SHOW / DESCRIBE ---------------------------------------------------

  private async show(toks: Token[]): Promise<StatementResult> {
    if (toks[1]?.value === 'GRANTS') return this.showGrantsOn(toks);
    let i = 1;
    if (toks[i]?.value === 'TERSE') i++;
    let what = toks[i]?.value ?? '';
    i++;
    if (what === 'EXTERNAL' || what === 'USER' || what === 'FILE') what += ' ' + (toks[i++]?.value ?? '');
    const scope: ShowScope = { currentDb: this.context.database, currentSchema: this.context.schema };
    let explicit = false;
    while (i < toks.length) {
      const t = toks[i];
      if (t.value === 'LIKE' && toks[i + 1]?.type === 'string') {
        scope.like = toks[i + 1].value;
        i += 2;
      } else if (t.value === 'IN') {
        explicit = true;
        i++;
        const kw = toks[i]?.value;
        if (kw === 'ACCOUNT') {
          i++;
          continue;
        }
        const kind = kw === 'DATABASE' || kw === 'SCHEMA' ? kw : undefined;
        if (kind) i++;
        const name = toks[i] && (toks[i].type === 'word' || toks[i].type === 'ident') && !['LIKE', 'STARTS', 'LIMIT'].includes(toks[i].value) ? readName(toks, i) : undefined;
        if (name) i = name.next;
        const parts = name?.parts ?? [];
        if (kind === 'DATABASE') scope.db = parts[0] ?? this.context.database;
        else if (kind === 'SCHEMA' || parts.length === 2) {
          scope.db = parts.length === 2 ? parts[0] : this.context.database;
          scope.schema = parts[parts.length - 1] ?? this.context.schema;
        } else scope.db = parts[0];
      } else i++;
    }
    if (!explicit && what !== 'DATABASES' && what !== 'WAREHOUSES') scope.db = this.context.database;
    const snap = await this.snap();
    switch (what) {
      case 'TABLES':
        return showTables(snap, scope, 'tables');
      case 'VIEWS':
        return showTables(snap, scope, 'views');
      case 'OBJECTS':
        return showTables(snap, scope, 'objects');
      case 'SCHEMAS':
        return showSchemas(snap, scope);
      case 'DATABASES':
        return showDatabases(snap, scope);
      case 'STAGES':
        return showStages(Object.values(this.engine.meta.data.stages), scope);
      case 'EXTERNAL TABLES':
        return showExternalTables(Object.values(this.engine.meta.data.externals), scope);
      case 'PARAMETERS':
        return {
          columns: [col('key'), col('value'), col('default'), col('level'), col('description'), col('type')],
          rows: Object.entries(this.context.parameters).map(([k, v]) => [k, String(v), '', 'SESSION', '', typeof v === 'number' ? 'NUMBER' : typeof v === 'boolean' ? 'BOOLEAN' : 'STRING']),
          kind: 'show',
        };
      case 'WAREHOUSES':
        return { columns: [col('name'), col('state'), col('type'), col('size')], rows: [[this.context.warehouse ?? 'STANDIN_WH', 'STARTED', 'STANDARD', 'X-Small']], kind: 'show' };
      default:
        throw new SfError('001003', compilation(`syntax error line 1 at position 5 unexpected '${what}'.`), '42000');
    }
  }

  private async describe(toks: Token[]): Promise<StatementResult> {
    let i = 1;
    if (toks[i]?.value === 'EXTERNAL') i++;
    if (toks[i]?.value === 'TABLE' || toks[i]?.value === 'VIEW') i++;
    const { parts } = readName(toks, i);
    const n = this.resolve(parts, 'DESCRIBE');
    const snap = await this.snap();
    const t = snap.tables.find((x) => key(x.db, x.schema, x.name) === key(...n));
    if (!t) throw objectMissing(n.join('.'));
    return { ...describeTable(t, this.engine.meta.data.externals[key(...n)]), kind: 'show' };
  }

  // ---- CREATE ------------------------------------------------------------

  private async create(sql: string, toks: Token[]): Promise<StatementResult> {
    let i = 1;
    let orReplace = false;
    if (toks[i]?.value === 'OR' && toks[i + 1]?.value === 'REPLACE') {
      orReplace = true;
      i += 2;
    }
    const mods = new Set<string>();
    while (['LOCAL', 'GLOBAL', 'TEMP', 'TEMPORARY', 'VOLATILE', 'TRANSIENT', 'SECURE', 'RECURSIVE', 'MATERIALIZED'].includes(toks[i]?.value ?? '')) mods.add(toks[i++].value);
    let what = toks[i++]?.value ?? '';
    if (what === 'EXTERNAL' || what === 'FILE') what += ' ' + (toks[i++]?.value ?? '');
    let ifNotExists = false;
    if (toks[i]?.value === 'IF' && toks[i + 1]?.value === 'NOT' && toks[i + 2]?.value === 'EXISTS') {
      ifNotExists = true;
      i += 3;
    }
    const name = readName(toks, i);
    const rest = sql.slice(toks[name.next - 1].start + toks[name.next - 1].text.length);
    switch (what) {
      case 'DATABASE': {
        const db = name.parts[0];
        const existing = await this.engine.databaseExists(db);
        if (existing) {
          if (ifNotExists) return status(`${db} already exists, statement succeeded.`);
          if (!orReplace) throw alreadyExists(db);
          await this.engine.dropDatabase(existing);
        }
        await this.engine.createDatabase(db);
        await this.useSchema(db, 'PUBLIC');
        return status(`Database ${db} successfully created.`);
      }
      case 'SCHEMA': {
        const db = name.parts.length >= 2 ? name.parts[name.parts.length - 2] : this.context.database;
        const schema = name.parts[name.parts.length - 1];
        if (!db) this.resolve([schema], 'CREATE SCHEMA');
        if (!(await this.engine.databaseExists(db!))) throw objectMissing(db!, 'Database');
        if (await this.schemaExists(db!, schema)) {
          if (ifNotExists) return status(`${schema} already exists, statement succeeded.`);
          if (!orReplace) throw alreadyExists(schema);
          await this.dropSchema(db!, schema);
        }
        if (schema.toLowerCase() !== 'main') {
          try {
            await this.q(`CREATE SCHEMA IF NOT EXISTS ${qname([db!, schema])}`);
          } catch (e) {
            // created by another session at the same moment (a DuckDB write-write conflict; Snowflake serializes DDL)
            if (!(await this.schemaExists(db!, schema))) throw e;
          }
        }
        this.engine.meta.spellSchema(db!, schema);
        await this.useSchema(db!, schema);
        return status(`Schema ${schema} successfully created.`);
      }
      case 'VIEW':
        return this.createView(name.parts, rest, orReplace, ifNotExists, mods.has('SECURE'));
      case 'TABLE':
        return this.createTable(name.parts, rest, orReplace, ifNotExists, mods);
      case 'STAGE':
        return this.createStage(name.parts, rest, orReplace, ifNotExists);
      case 'EXTERNAL TABLE':
        return this.createExternalTable(name.parts, rest, orReplace, ifNotExists);
      case 'FILE FORMAT':
      case 'WAREHOUSE':
      case 'ROLE':
        this.engine.meta.data.roles = { ...this.engine.meta.data.roles, [name.parts[0]]: now() };
        this.engine.meta.save();
        return status(`Role ${name.parts[0]} successfully created.`);
      case 'STORAGE INTEGRATION':
        return status(`${what === 'FILE FORMAT' ? 'File format' : what[0] + what.slice(1).toLowerCase()} ${name.parts.join('.')} successfully created.`);
      default:
        throw new SfError('001003', compilation(`syntax error line 1 at position 7 unexpected '${what}'.`), '42000');
    }
  }

  private async createView(parts: string[], rest: string, orReplace: boolean, ifNotExists: boolean, secure: boolean): Promise<StatementResult> {
    const n = this.resolve(parts, 'CREATE VIEW');
    const nodes = parseTree(rest);
    const sig = sigNodes(nodes);
    let columns = '';
    let comment: string | undefined;
    let asIndex = -1;
    for (let k = 0; k < sig.length; k++) {
      const t = sig[k];
      if (isGroup(t) && k === 0) columns = `(${splitArgs(t).map((a) => translate(sourceText(sigNodes(a).slice(0, 1)))).join(', ')})`;
      else if (isWord(t, 'COMMENT') && isOp(sig[k + 1], '=')) comment = (sig[k + 2] as Token).value;
      else if (isWord(t, 'AS')) {
        asIndex = k;
        break;
      }
    }
    if (asIndex < 0) throw new SfError('001003', compilation('syntax error line 1 at position 0 unexpected end of input.'), '42000');
    const asTok = sig[asIndex] as Token;
    const query = rest.slice(asTok.start + asTok.text.length);
    const existing = await this.kindOf(n);
    if (existing) {
      if (ifNotExists) return status(`${n[2]} already exists, statement succeeded.`);
      if (!orReplace) throw alreadyExists(n[2]);
      if (existing !== 'VIEW') throw alreadyExists(n[2], existing === 'EXTERNAL TABLE' ? 'EXTERNAL_TABLE' : 'TABLE');
    }
    await this.q(`CREATE OR REPLACE VIEW ${qname(n)}${columns} AS ${await this.translated(query)}`);
    const grants = existing && copyGrants(rest.slice(0, asTok.start)) ? this.engine.meta.object(...n)?.grants : undefined;
    this.engine.meta.setObject({ db: n[0], schema: n[1], name: n[2], kind: 'VIEW', secure, comment, grants, created: now() });
    return status(`View ${n[2]} successfully created.`);
  }

  private async createTable(parts: string[], rest: string, orReplace: boolean, ifNotExists: boolean, mods: Set<string>): Promise<StatementResult> {
    const n = this.resolve(parts, 'CREATE TABLE');
    const temporary = mods.has('TEMP') || mods.has('TEMPORARY') || mods.has('VOLATILE') || mods.has('LOCAL') || mods.has('GLOBAL');
    const nodes = parseTree(rest);
    const sig = sigNodes(nodes);
    let defs = '';
    let comment: string | undefined;
    let body = '';
    for (let k = 0; k < sig.length; k++) {
      const t = sig[k];
      if (isGroup(t) && k === 0) defs = `(${columnDefs(t)})`;
      else if (isWord(t, 'CLUSTER') && isWord(sig[k + 1], 'BY')) k += 2;
      else if (isWord(t, 'COMMENT') && isOp(sig[k + 1], '=')) {
        comment = (sig[k + 2] as Token).value;
        k += 2;
      } else if (isWord(t, 'AS')) {
        body = ` AS ${await this.translated(rest.slice((t as Token).start + 2))}`;
        break;
      } else if (isWord(t, 'CLONE', 'LIKE')) {
        const src = this.resolve(readNameNodes(sig, k + 1), 'CREATE TABLE');
        body = ` AS SELECT * FROM ${this.duck(src)}${isWord(t, 'LIKE') ? ' LIMIT 0' : ''}`;
        break;
      }
    }
    const existing = await this.kindOf(n);
    if (existing) {
      if (ifNotExists) return status(`${n[2]} already exists, statement succeeded.`);
      if (!orReplace) throw alreadyExists(n[2]);
      if (existing === 'VIEW' || existing === 'EXTERNAL TABLE') throw alreadyExists(n[2], existing === 'VIEW' ? 'VIEW' : 'EXTERNAL_TABLE');
    }
    const replace = orReplace ? 'OR REPLACE ' : '';
    if (temporary) {
      const duckName = n[2];
      await this.q(`CREATE ${replace}TEMP TABLE ${quoteIdent(duckName)}${defs}${body}`);
      for (const [d, t] of this.temps) if (d.toUpperCase() === duckName.toUpperCase()) this.temps.delete(d);
      this.temps.set(duckName, { db: n[0], schema: n[1], name: n[2], created: now() });
    } else {
      const asAt = rest.search(/\bas\b/i);
      const grants = existing && copyGrants(asAt < 0 ? rest : rest.slice(0, asAt)) ? this.engine.meta.object(...n)?.grants : undefined;
      try {
        await this.q(`CREATE ${replace}TABLE ${qname(n)}${defs}${body}`);
      } catch (e) {
        // another session created it meanwhile: IF NOT EXISTS succeeds, as Snowflake serializes DDL on one name
        if (ifNotExists && (await this.kindOf(n))) return status(`${n[2]} already exists, statement succeeded.`);
        throw e;
      }
      this.engine.meta.setObject({ db: n[0], schema: n[1], name: n[2], kind: 'TABLE', transient: mods.has('TRANSIENT'), comment, grants, created: now() });
    }
    return status(`Table ${n[2]} successfully created.`);
  }

  private async createStage(parts: string[], rest: string, orReplace: boolean, ifNotExists: boolean): Promise<StatementResult> {
    const n = this.resolve(parts, 'CREATE STAGE');
    const k = key(...n);
    if (this.engine.meta.data.stages[k]) {
      if (ifNotExists) return status(`${n[2]} already exists, statement succeeded.`);
      if (!orReplace) throw alreadyExists(n[2]);
    }
    const opts = parseOptions(parseTree(rest));
    const url = optString(opts, 'URL');
    const directory = url ? this.engine.s3Path(url) : join(this.engine.opts.directory, 'stages', 'named', ...n);
    mkdirSync(directory, { recursive: true });
    const stage: StageMeta = { db: n[0], schema: n[1], name: n[2], url, directory, storageIntegration: optString(opts, 'STORAGE_INTEGRATION'), fileFormat: optFormat(opts), created: now() };
    this.engine.meta.data.stages[k] = stage;
    this.engine.meta.save();
    return status(`Stage area ${n[2]} successfully created.`);
  }

  private stageLocation(text: string): { root: string; path: string } {
    if (text.startsWith('@')) {
      const ref = parseStageRef(text);
      return { root: this.engine.stageRoot(ref, (p) => this.resolve(p, 'stage')), path: ref.path };
    }
    const full = this.engine.s3Path(text);
    return { root: dirname(full), path: full.slice(dirname(full).length + 1) };
  }

  private async createExternalTable(parts: string[], rest: string, orReplace: boolean, ifNotExists: boolean): Promise<StatementResult> {
    const n = this.resolve(parts, 'CREATE EXTERNAL TABLE');
    const nodes = parseTree(rest);
    const sig = sigNodes(nodes);
    const columns: ExternalTableMeta['columns'] = [];
    let partitionBy: string[] = [];
    let location = '';
    let k = 0;
    if (isGroup(sig[0])) {
      for (const def of splitArgs(sig[0])) {
        const d = sigNodes(def);
        const nameTok = d[0] as Token;
        const as = d.findIndex((x) => isWord(x, 'AS'));
        const type = sourceText(d.slice(1, as < 0 ? d.length : as).flatMap((x, j) => (j ? [{ type: 'ws', text: ' ', value: ' ', start: 0 } as Token, x] : [x])));
        const exprNode = as >= 0 ? d[as + 1] : undefined;
        const expr = exprNode ? (isGroup(exprNode) ? sourceText(exprNode.children) : sourceText([exprNode])) : 'NULL';
        columns.push({ name: nameTok.value, type, expr });
      }
      k = 1;
    }
    const optNodes: Node[] = [];
    for (; k < sig.length; k++) {
      const t = sig[k];
      if (isWord(t, 'PARTITION') && isWord(sig[k + 1], 'BY') && isGroup(sig[k + 2])) {
        partitionBy = splitArgs(sig[k + 2] as Group).map((a) => (sigNodes(a)[0] as Token).value);
        k += 2;
      } else if (isWord(t, 'LOCATION') && isOp(sig[k + 1], '=')) {
        location = (sig[k + 2] as Token).text;
        k += 2;
      } else if (!isWord(t, 'WITH')) optNodes.push(t, { type: 'ws', text: ' ', value: ' ', start: 0 });
    }
    const opts = parseOptions(optNodes);
    const existing = await this.kindOf(n);
    if (existing) {
      if (ifNotExists) return status(`${n[2]} already exists, statement succeeded.`);
      if (!orReplace) throw alreadyExists(n[2]);
      if (existing !== 'EXTERNAL TABLE') throw alreadyExists(n[2], existing === 'VIEW' ? 'VIEW' : 'TABLE');
    }
    const { root, path } = this.stageLocation(location);
    const e: ExternalTableMeta = {
      db: n[0], schema: n[1], name: n[2], columns, location, root, path, format: optFormat(opts), pattern: optString(opts, 'PATTERN'),
      partitionBy, files: [], created: now(), lastRefreshed: now(),
    };
    if (optBool(opts, 'REFRESH_ON_CREATE', true)) e.files = refreshFiles(e, listFiles(root, path), '').files;
    await this.q(`CREATE OR REPLACE VIEW ${qname(n)} AS ${externalViewSql(e, this.translateCtx())}`);
    this.engine.meta.data.externals[key(...n)] = e;
    this.engine.meta.setObject({ db: n[0], schema: n[1], name: n[2], kind: 'EXTERNAL TABLE', created: e.created });
    return status(`Table ${n[2]} successfully created.`);
  }

  // ---- DROP --------------------------------------------------------------

  private async dropSchema(db: string, schema: string): Promise<void> {
    if (schema.toLowerCase() === 'main') {
      const r = await this.q(
        `SELECT 'TABLE', table_name FROM duckdb_tables() WHERE upper(database_name) = upper(${quoteString(db)}) AND schema_name = 'main'
         UNION ALL SELECT 'VIEW', view_name FROM duckdb_views() WHERE upper(database_name) = upper(${quoteString(db)}) AND schema_name = 'main' AND NOT internal`,
      );
      for (const [kind, name] of r.getRowsJson() as string[][]) await this.q(`DROP ${kind} IF EXISTS ${qname([db, 'main', name])} CASCADE`);
    } else await this.q(`DROP SCHEMA ${qname([db, schema])} CASCADE`);
    this.engine.meta.dropSchema(db, schema);
    if (this.context.database?.toUpperCase() === db.toUpperCase() && this.context.schema?.toUpperCase() === schema.toUpperCase()) {
      this.context.schema = undefined;
      await this.q(`USE ${quoteIdent(db)}`);
    }
  }

  private async drop(toks: Token[]): Promise<StatementResult> {
    let i = 1;
    let what = toks[i++]?.value ?? '';
    if (what === 'EXTERNAL' || what === 'FILE' || what === 'MATERIALIZED') what += ' ' + (toks[i++]?.value ?? '');
    let ifExists = false;
    if (toks[i]?.value === 'IF' && toks[i + 1]?.value === 'EXISTS') {
      ifExists = true;
      i += 2;
    }
    const { parts } = readName(toks, i);
    const gone = (name: string) => status(`Drop statement executed successfully (${name} already dropped).`);
    switch (what) {
      case 'DATABASE': {
        const db = await this.engine.databaseExists(parts[0]);
        if (!db) {
          if (ifExists) return gone(parts[0]);
          throw objectMissing(parts[0], 'Database');
        }
        if (this.context.database?.toUpperCase() === db.toUpperCase()) {
          await this.q(`USE memory`);
          this.context.database = undefined;
          this.context.schema = undefined;
        }
        await this.engine.dropDatabase(db);
        return status(`${parts[0]} successfully dropped.`);
      }
      case 'SCHEMA': {
        const db = parts.length >= 2 ? parts[parts.length - 2] : this.context.database;
        const schema = parts[parts.length - 1];
        if (!db || !(await this.engine.databaseExists(db)) || !(await this.schemaExists(db, schema))) {
          if (ifExists) return gone(schema);
          throw objectMissing(db ? `${db}.${schema}` : schema, 'Schema');
        }
        await this.dropSchema(db, schema);
        return status(`${schema} successfully dropped.`);
      }
      case 'STAGE': {
        const n = this.resolve(parts, 'DROP STAGE');
        if (!this.engine.meta.data.stages[key(...n)]) {
          if (ifExists) return gone(n[2]);
          throw objectMissing(n.join('.'), 'Stage');
        }
        delete this.engine.meta.data.stages[key(...n)];
        this.engine.meta.save();
        return status(`${n[2]} successfully dropped.`);
      }
      case 'TABLE':
      case 'VIEW':
      case 'EXTERNAL TABLE': {
        const n = this.resolve(parts, `DROP ${what}`);
        const kind = await this.kindOf(n);
        if (!kind) {
          if (ifExists) return gone(n[2]);
          throw objectMissing(n.join('.'), what === 'VIEW' ? 'View' : 'Table');
        }
        const expected = what === 'TABLE' ? ['TABLE', 'TEMPORARY'] : [what];
        if (!expected.includes(kind)) {
          throw new SfError('002203', compilation(`Object found is of type '${kind === 'EXTERNAL TABLE' ? 'EXTERNAL_TABLE' : kind}', not specified type '${what.replace(' ', '_')}'.`), '02000');
        }
        if (kind === 'TEMPORARY') {
          const t = this.temp(n)!;
          await this.q(`DROP TABLE temp.main.${quoteIdent(t)}`);
          this.temps.delete(t);
        } else {
          await this.q(`DROP ${kind === 'TABLE' ? 'TABLE' : 'VIEW'} ${qname(n)}`);
          this.engine.meta.dropObject(...n);
        }
        return status(`${n[2]} successfully dropped.`);
      }
      default:
        return status(`${parts.join('.')} successfully dropped.`);
    }
  }

  // ---- ALTER -------------------------------------------------------------

  private async alter(sql: string, toks: Token[]): Promise<StatementResult> {
    let i = 1;
    let what = toks[i++]?.value ?? '';
    if (what === 'EXTERNAL' || what === 'MATERIALIZED') what += ' ' + (toks[i++]?.value ?? '');
    let ifExists = false;
    if (toks[i]?.value === 'IF' && toks[i + 1]?.value === 'EXISTS') {
      ifExists = true;
      i += 2;
    }
    const name = readName(toks, i);
    if (what !== 'TABLE' && what !== 'VIEW' && what !== 'EXTERNAL TABLE') return status('Statement executed successfully.');
    const n = this.resolve(name.parts, `ALTER ${what}`);
    const kind = await this.kindOf(n);
    if (!kind) {
      if (ifExists) return status('Statement executed successfully.');
      throw objectMissing(n.join('.'), what === 'VIEW' ? 'View' : 'Table');
    }
    const verb = toks[name.next]?.value;
    const restStart = toks[name.next]?.start ?? sql.length;
    if (what === 'EXTERNAL TABLE' && verb === 'REFRESH') {
      const sub = toks[name.next + 1]?.type === 'string' ? toks[name.next + 1].value : '';
      return this.refreshExternal(n, sub);
    }
    if (verb === 'RENAME' && toks[name.next + 1]?.value === 'TO') {
      const target = this.resolve(readName(toks, name.next + 2).parts, 'RENAME');
      await this.rename(n, target, kind);
      return status('Statement executed successfully.');
    }
    if (verb === 'SWAP' && toks[name.next + 1]?.value === 'WITH') {
      const other = this.resolve(readName(toks, name.next + 2).parts, 'SWAP');
      if (!(await this.kindOf(other))) throw objectMissing(other.join('.'), 'Table');
      await this.atomically(async () => {
        const tmp: Name = [n[0], n[1], `__sf_swap_${randomBytes(4).toString('hex')}`];
        await this.renameDuck(n, tmp, 'TABLE');
        await this.renameDuck(other, n, 'TABLE');
        await this.renameDuck(tmp, other, 'TABLE');
      });
      const ma = this.engine.meta.object(...n);
      const mb = this.engine.meta.object(...other);
      if (ma) this.engine.meta.setObject({ ...ma, db: other[0], schema: other[1], name: other[2] });
      if (mb) this.engine.meta.setObject({ ...mb, db: n[0], schema: n[1], name: n[2] });
      return status('Statement executed successfully.');
    }
    if (verb === 'ADD' || verb === 'DROP') {
      const nodes = parseTree(sql.slice(restStart));
      const sig = sigNodes(nodes);
      let k = 1;
      if (isWord(sig[k], 'COLUMN')) k++;
      const first = sig[k] as Token;
      const body = parseTree(sql.slice(restStart + first.start));
      const pieces: Node[][] = [[]];
      for (const nd of body) {
        if (isOp(nd, ',')) pieces.push([]);
        else pieces[pieces.length - 1].push(nd);
      }
      for (const p of pieces) {
        const text = verb === 'ADD' ? columnDefs({ type: 'group', children: p }) : translate(sourceText(p));
        await this.q(`ALTER TABLE ${this.duck(n)} ${verb} COLUMN ${text}`);
      }
      return status('Statement executed successfully.');
    }
    if (verb === 'RENAME' && toks[name.next + 1]?.value === 'COLUMN') {
      await this.q(`ALTER TABLE ${this.duck(n)} ${translate(sql.slice(restStart))}`);
      return status('Statement executed successfully.');
    }
    if ((verb === 'ALTER' || verb === 'MODIFY') && what === 'VIEW') {
      // ALTER VIEW v ALTER COLUMN c COMMENT '…' (how a view's columns take comments)
      let k = name.next + 1;
      if (toks[k]?.value === 'COLUMN') k++;
      const column = toks[k];
      if (toks[k + 1]?.value === 'COMMENT' && toks[k + 2]?.type === 'string' && column) {
        await this.setColumnComment(n, column.value, toks[k + 2].value);
        return status('Statement executed successfully.');
      }
    }
    if (verb === 'ALTER' || verb === 'MODIFY') {
      const m = /^\s*(?:ALTER|MODIFY)\s+(?:COLUMN\s+)?("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s+(?:SET\s+DATA\s+)?TYPE\s+([\s\S]+)$/i.exec(sql.slice(restStart));
      if (m) await this.q(`ALTER TABLE ${this.duck(n)} ALTER COLUMN ${translate(m[1])} TYPE ${translate(m[2])}`);
      return status('Statement executed successfully.');
    }
    return status('Statement executed successfully.');
  }

  // ---- GRANT / REVOKE / SHOW GRANTS / COMMENT (access.ts) ------------------

  /** The object a GRANT, SHOW GRANTS or COMMENT names, which must be of that type. */
  private async accessTarget(parts: string[], objectType: 'TABLE' | 'VIEW', what: string): Promise<Name> {
    const n = this.resolve(parts, what);
    const kind = await this.kindOf(n);
    if (!kind) throw objectMissing(n.join('.'), objectType === 'VIEW' ? 'View' : 'Table');
    const actual = kind === 'TEMPORARY' ? 'TABLE' : kind;
    if (actual !== objectType) throw new SfError('002203', compilation(`Object found is of type '${actual === 'EXTERNAL TABLE' ? 'EXTERNAL_TABLE' : actual}', not specified type '${objectType}'.`), '02000');
    return n;
  }

  private async grant(toks: Token[]): Promise<StatementResult> {
    const g = parseGrant(toks);
    const n = await this.accessTarget(g.name, g.objectType, g.revoke ? 'REVOKE' : 'GRANT');
    const known = new Set(['PUBLIC', (this.context.role ?? '').toUpperCase(), ...Object.keys(this.engine.meta.data.roles ?? {})]);
    if (!known.has(g.role) && !known.has(g.role.toUpperCase())) throw roleMissing(g.role);
    const m = this.engine.meta.object(...n) ?? { db: n[0], schema: n[1], name: n[2], kind: g.objectType, created: now() };
    this.engine.meta.setObject({ ...m, grants: applyGrant(m.grants ?? [], g, now()) });
    return status('Statement executed successfully.');
  }

  private async showGrantsOn(toks: Token[]): Promise<StatementResult> {
    const objectType = toks[3]?.value;
    if (toks[2]?.value !== 'ON' || (objectType !== 'TABLE' && objectType !== 'VIEW')) throw new SfError('001003', compilation(`syntax error line 1 at position 12 unexpected '${toks[2]?.text ?? '<EOF>'}'.`), '42000');
    const n = await this.accessTarget(readName(toks, 4).parts, objectType, 'SHOW GRANTS');
    const m = this.engine.meta.object(...n);
    return showGrants({ grants: m?.grants ?? [], grantedOn: objectType, qualifiedName: n.join('.'), owner: 'SYSADMIN', created: m?.created ?? now() });
  }

  private async comment(toks: Token[]): Promise<StatementResult> {
    const c = parseComment(toks);
    if (!c) return status('Statement executed successfully.');
    if (c.objectType === 'COLUMN') {
      const n = this.resolve(c.name, 'COMMENT');
      const kind = await this.kindOf(n);
      if (!kind) throw objectMissing(n.join('.'), 'Table');
      if (kind === 'VIEW') throw new SfError('002203', compilation(`Object found is of type 'VIEW', not specified type 'TABLE'.`), '02000');
      await this.setColumnComment(n, c.column!, c.text);
      return status('Statement executed successfully.');
    }
    const n = await this.accessTarget(c.name, c.objectType, 'COMMENT').catch((e) => {
      if (c.ifExists) return undefined;
      throw e;
    });
    if (!n) return status('Statement executed successfully.');
    const m = this.engine.meta.object(...n) ?? { db: n[0], schema: n[1], name: n[2], kind: c.objectType, created: now() };
    this.engine.meta.setObject({ ...m, comment: c.text });
    return status('Statement executed successfully.');
  }

  /** A column's comment, under the column's stored name; an unknown column is Snowflake's invalid identifier error. */
  private async setColumnComment(n: Name, column: string, text: string): Promise<void> {
    const where = `upper(database_name) = upper(${quoteString(n[0])}) AND upper(schema_name) = upper(${quoteString(n[1])}) AND upper(table_name) = upper(${quoteString(n[2])})`;
    const names = (await this.q(`SELECT column_name FROM duckdb_columns() WHERE ${where}`)).getRows().map((r) => String(r[0]));
    const stored = names.find((c) => c === column) ?? names.find((c) => c.toUpperCase() === column.toUpperCase() && column === column.toUpperCase());
    if (!stored) throw new SfError('000904', compilation(`error line 1 at position 0\ninvalid identifier '${column}'`), '42000');
    const m = this.engine.meta.object(...n) ?? { db: n[0], schema: n[1], name: n[2], kind: 'TABLE' as const, created: now() };
    this.engine.meta.setObject({ ...m, columnComments: { ...m.columnComments, [stored]: text } });
  }

  private async renameDuck(from: Name, to: Name, kind: 'TABLE' | 'VIEW'): Promise<void> {
    const t = this.temp(from);
    if (t !== undefined) {
      await this.q(`ALTER TABLE temp.main.${quoteIdent(t)} RENAME TO ${quoteIdent(to[2])}`);
      this.temps.delete(t);
      this.temps.set(to[2], { db: to[0], schema: to[1], name: to[2], created: now() });
      return;
    }
    const sameSchema = key(from[0], from[1]) === key(to[0], to[1]);
    if (sameSchema) {
      await this.q(`ALTER ${kind} ${qname(from)} RENAME TO ${quoteIdent(to[2])}`);
    } else if (kind === 'TABLE') {
      await this.q(`CREATE TABLE ${qname(to)} AS SELECT * FROM ${qname(from)}`);
      await this.q(`DROP TABLE ${qname(from)}`);
    } else {
      const r = await this.q(`SELECT sql FROM duckdb_views() WHERE ${this.match(from, 'view_name')}`);
      const viewSql = String(r.getRowsJson()[0]?.[0] ?? '');
      const body = /\bAS\b([\s\S]*)$/i.exec(viewSql)?.[1] ?? '';
      await this.q(`CREATE VIEW ${qname(to)} AS ${body.replace(/;\s*$/, '')}`);
      await this.q(`DROP VIEW ${qname(from)}`);
    }
  }

  private async rename(from: Name, to: Name, kind: ObjectKind | 'TEMPORARY'): Promise<void> {
    if (await this.kindOf(to)) throw alreadyExists(to[2]);
    const crossDb = from[0].toUpperCase() !== to[0].toUpperCase();
    const run = () => this.renameDuck(from, to, kind === 'VIEW' || kind === 'EXTERNAL TABLE' ? 'VIEW' : 'TABLE');
    if (crossDb || kind === 'TEMPORARY') await run();
    else await this.atomically(run);
    const m = this.engine.meta.object(...from);
    if (m) {
      this.engine.meta.dropObject(...from);
      this.engine.meta.setObject({ ...m, db: to[0], schema: to[1], name: to[2] });
    }
    const e = this.engine.meta.data.externals[key(...from)];
    if (e) {
      this.engine.meta.data.externals[key(...to)] = { ...e, db: to[0], schema: to[1], name: to[2] };
      this.engine.meta.save();
    }
  }

  private async refreshExternal(n: Name, sub: string): Promise<StatementResult> {
    const e = this.engine.meta.data.externals[key(...n)];
    if (!e) throw objectMissing(n.join('.'), 'External table');
    const { files, changes } = refreshFiles(e, listFiles(e.root, e.path), sub);
    e.files = files;
    e.lastRefreshed = now();
    await this.q(`CREATE OR REPLACE VIEW ${qname(n)} AS ${externalViewSql(e, this.translateCtx())}`);
    this.engine.meta.save();
    return {
      columns: [col('file'), col('status'), col('description')],
      rows: changes.map((c) => [c.file, c.status, c.description]),
      kind: 'ddl',
    };
  }

  // ---- COPY / LIST / REMOVE ----------------------------------------------

  private async copy(sql: string, toks: Token[]): Promise<StatementResult> {
    // COPY INTO <target> [(cols)] FROM <source> <options>
    const nodes = parseTree(sql.slice(toks[2]?.start ?? 0));
    const sig = sigNodes(nodes);
    const target = sig[0] as Token;
    let k = 1;
    let targetName: string[] | undefined;
    if (target.type === 'word' || target.type === 'ident') {
      targetName = readNameNodes(sig, 0);
      k = targetName.length * 2 - 1;
    }
    let columns: string[] | undefined;
    if (isGroup(sig[k])) {
      columns = splitArgs(sig[k] as Group).map((a) => (sigNodes(a)[0] as Token).value);
      k++;
    }
    if (!isWord(sig[k], 'FROM')) throw new SfError('001003', compilation(`syntax error line 1 at position 0 unexpected '${(sig[k] as Token | undefined)?.text ?? '<EOF>'}'.`), '42000');
    const source = sig[k + 1];
    const optNodes = nodes.slice(nodes.indexOf(source) + 1);
    const opts = parseOptions(optNodes);
    if (!targetName) return this.unload(target, source, opts);
    return this.load(this.resolve(targetName, 'COPY'), columns, source, opts);
  }

  private async unload(target: Token, source: Node, opts: ReturnType<typeof parseOptions>): Promise<StatementResult> {
    const location = target.type === 'stage' ? this.stageLocation(target.text) : this.stageLocation(target.value);
    const query = isGroup(source) ? await this.translated(sourceText(source.children)) : `SELECT * FROM ${this.duck(this.resolve(readNameNodes([source], 0)))}`;
    const format = optFormat(opts);
    const { options, extension } = unloadCopyOptions(format, optBool(opts, 'HEADER', false));
    const single = optBool(opts, 'SINGLE', false);
    let rel = location.path;
    if (!single) rel = rel === '' || rel.endsWith('/') ? `${rel}data_0_0_0${extension}` : `${rel}_0_0_0${extension}`;
    else if (rel === '' || rel.endsWith('/')) rel = `${rel}data${extension}`;
    const final = join(location.root, rel);
    mkdirSync(dirname(final), { recursive: true });
    const tmp = `${final}.sf-tmp-${randomBytes(6).toString('hex')}`;
    const r = await this.q(`COPY (${query}) TO ${quoteString(tmp)} ${options}`);
    const count = Number(r.getRowsJson()[0]?.[0] ?? 0);
    let bytes = 0;
    if (count === 0) rmSync(tmp, { force: true });
    else {
      bytes = statSync(tmp).size;
      renameSync(tmp, final);
    }
    return {
      columns: [col('rows_unloaded', 'fixed'), col('input_bytes', 'fixed'), col('output_bytes', 'fixed')],
      rows: [[count, bytes, bytes]],
      kind: 'unload',
      rowsAffected: count,
    };
  }

  private async load(n: Name, columns: string[] | undefined, source: Node, opts: ReturnType<typeof parseOptions>): Promise<StatementResult> {
    if (isGroup(source) || source.type === 'word' || source.type === 'ident') {
      throw new SfError('000603', 'the Snowflake stand-in loads only from a stage location (no COPY transformations)');
    }
    const { root, path } = this.stageLocation(source.type === 'stage' ? source.text : source.value);
    const format = optFormat(opts);
    const type = fileFormatType(format);
    const only = optList(opts, 'FILES');
    const pattern = optString(opts, 'PATTERN');
    let files = listFiles(root, path);
    if (only) files = files.filter((f) => only.some((o) => f === path + o || f === o || f === `${path.replace(/\/?$/, '/')}${o}`));
    if (pattern) {
      const re = new RegExp(`^(?:${pattern})$`);
      files = files.filter((f) => re.test(f) || re.test(f.slice(path.length)));
    }
    const tableKey = key(...n);
    const force = optBool(opts, 'FORCE', false);
    const history = (this.engine.meta.data.loads[tableKey] ??= []);
    const stamp = (f: string) => {
      const st = statSync(join(root, f));
      return `${f}|${st.size}|${Math.floor(st.mtimeMs)}`;
    };
    files = files.filter((f) => force || !history.includes(stamp(f)));
    if (files.length === 0) return { ...status('Copy executed with 0 files processed.', 'copy'), rowsAffected: 0 };
    const snap = await this.snap();
    const table = snap.tables.find((t) => key(t.db, t.schema, t.name) === tableKey);
    if (!table) throw objectMissing(n.join('.'), 'Table');
    const targetCols = columns ?? table.columns.map((c) => c.name);
    const colList = `(${targetCols.map(quoteIdent).join(', ')})`;
    const results: Array<[string, number]> = [];
    await this.atomically(async () => {
      for (const f of files) {
        const file = join(root, f);
        let select: string;
        if (type === 'PARQUET') select = `SELECT ${targetCols.map(quoteIdent).join(', ')} FROM read_parquet(${quoteString(file)})`;
        else if (type === 'JSON') select = `SELECT ${targetCols.map(quoteIdent).join(', ')} FROM read_json_auto(${quoteString(file)})`;
        else {
          const fields = targetCols.map((_, j) => csvFieldSql(quoteIdent(`c${j + 1}`), format));
          select = `SELECT ${fields.join(', ')} FROM ${readCsvSql([file], format, targetCols.length)}`;
        }
        const r = await this.q(`INSERT INTO ${this.duck(n)} ${colList} ${select}`);
        results.push([f, r.rowsChanged]);
      }
    });
    for (const f of files) history.push(stamp(f));
    this.engine.meta.save();
    if (optBool(opts, 'PURGE', false)) for (const f of files) rmSync(join(root, f), { force: true });
    const total = results.reduce((s, [, c]) => s + c, 0);
    return {
      columns: [
        col('file'), col('status'), col('rows_parsed', 'fixed'), col('rows_loaded', 'fixed'), col('error_limit', 'fixed'), col('errors_seen', 'fixed'),
        col('first_error'), col('first_error_line', 'fixed'), col('first_error_character', 'fixed'), col('first_error_column_name'),
      ],
      rows: results.map(([f, c]) => [f.slice(path.lastIndexOf('/') + 1 > 0 ? 0 : 0), 'LOADED', c, c, 1, 0, null, null, null, null]),
      kind: 'copy',
      rowsAffected: total,
    };
  }

  private async list(toks: Token[]): Promise<StatementResult> {
    const ref = toks[1];
    if (!ref || ref.type !== 'stage') throw new SfError('001003', compilation('syntax error line 1 at position 5 unexpected end of input.'), '42000');
    const { root, path } = this.stageLocation(ref.text);
    const files = listFiles(root, path);
    return {
      columns: [col('name'), col('size', 'fixed'), col('md5'), col('last_modified')],
      rows: files.map((f) => {
        const st = statSync(join(root, f));
        return [f, st.size, '', st.mtime.toUTCString()];
      }),
      kind: 'show',
    };
  }

  private async remove(toks: Token[]): Promise<StatementResult> {
    const ref = toks[1];
    if (!ref || ref.type !== 'stage') throw new SfError('001003', compilation('syntax error line 1 at position 7 unexpected end of input.'), '42000');
    const { root, path } = this.stageLocation(ref.text);
    const files = listFiles(root, path);
    for (const f of files) rmSync(join(root, f), { force: true });
    return { columns: [col('name'), col('result')], rows: files.map((f) => [f, 'removed']), kind: 'other' };
  }
}

/** A qualified name at toks[i]: its parts (as Snowflake resolves them) and the index after it. */
function readName(toks: Token[], i: number): { parts: string[]; next: number } {
  const parts: string[] = [];
  let j = i;
  while (toks[j] && (toks[j].type === 'word' || toks[j].type === 'ident')) {
    parts.push(toks[j].value);
    j++;
    if (toks[j]?.text === '.') j++;
    else break;
  }
  if (parts.length === 0) {
    throw new SfError('001003', compilation(`syntax error line 1 at position 0 unexpected '${toks[i]?.text ?? '<EOF>'}'.`), '42000');
  }
  return { parts, next: j };
}

function readNameNodes(sig: Node[], i: number): string[] {
  const parts: string[] = [];
  let j = i;
  for (;;) {
    const t = sig[j];
    if (!t || isGroup(t) || (t.type !== 'word' && t.type !== 'ident')) break;
    parts.push(t.value);
    if (isOp(sig[j + 1], '.')) j += 2;
    else break;
  }
  return parts;
}

/** Column definitions translated for DuckDB (Snowflake-only clauses dropped). */
function columnDefs(g: Group): string {
  return splitArgs(g)
    .map((def) => {
      const kept: Node[] = [];
      for (let j = 0; j < def.length; j++) {
        const t = def[j];
        if (isWord(t, 'COMMENT')) {
          // COMMENT 'text'
          let k = j + 1;
          while (k < def.length && !isSig(def[k])) k++;
          j = k;
          continue;
        }
        if (isWord(t, 'AUTOINCREMENT', 'IDENTITY', 'COLLATE')) break;
        kept.push(t);
      }
      return translate(sourceText(kept)).trim();
    })
    .join(', ');
}

/** A bind value as a typed DuckDB literal (the sdk sends every value as a string). */
export function bindLiteral(type: string, v: string | null): string {
  const t = type.toUpperCase();
  const duckType =
    t === 'FIXED' ? (v !== null && /^-?\d+$/.test(v) ? (v.replace('-', '').length > 18 ? 'HUGEINT' : 'BIGINT') : 'DOUBLE')
    : t === 'REAL' ? 'DOUBLE'
    : t === 'BOOLEAN' ? 'BOOLEAN'
    : t === 'DATE' ? 'DATE'
    : t === 'TIME' ? 'TIME'
    : t === 'TIMESTAMP_LTZ' || t === 'TIMESTAMP_TZ' ? 'TIMESTAMPTZ'
    : t.startsWith('TIMESTAMP') ? 'TIMESTAMP'
    : t === 'VARIANT' || t === 'OBJECT' || t === 'ARRAY' ? 'JSON'
    : t === 'BINARY' ? 'BLOB'
    : 'VARCHAR';
  if (v === null) return `CAST(NULL AS ${duckType})`;
  if ((duckType === 'DATE' || duckType.startsWith('TIMESTAMP') || duckType === 'TIME') && /^-?\d+$/.test(v)) {
    // epoch values: milliseconds (13 digits or fewer) or nanoseconds
    const n = BigInt(v);
    const ms = v.replace('-', '').length > 13 ? Number(n / 1000000n) : Number(n);
    const iso = new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
    const frac = v.replace('-', '').length > 13 ? `.${(((n % 1000000000n) + 1000000000n) % 1000000000n).toString().padStart(9, '0')}` : '';
    const text = duckType === 'DATE' ? iso.slice(0, 10) : duckType === 'TIME' ? iso.slice(11, 19) + frac : iso.slice(0, 19) + frac;
    return `CAST(${quoteString(text)} AS ${duckType})`;
  }
  if (duckType === 'BLOB') return `from_hex(${quoteString(v)})`;
  if (duckType === 'BOOLEAN') return /^(true|1|yes|on)$/i.test(v) ? 'TRUE' : 'FALSE';
  return `CAST(${quoteString(v)} AS ${duckType})`;
}

export async function createDuckDBEngine(opts: DuckDBEngineOptions): Promise<Engine> {
  mkdirSync(opts.directory, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const engine = new DuckEngine(opts, instance);
  await engine.init();
  if (!existsSync(join(opts.directory, 'stages'))) mkdirSync(join(opts.directory, 'stages'), { recursive: true });
  return engine;
}

/** CREATE OR REPLACE … COPY GRANTS (before the AS of the query): the replaced object's grants are kept. */
function copyGrants(head: string): boolean {
  return /\bcopy\s+grants\b/i.test(head);
}
