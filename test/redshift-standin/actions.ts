/**
 * Runs a translated Redshift statement through a `Runner` (one PostgreSQL
 * session: a `pg` client in the Data API stand-in, the client's own backend in
 * the wire-protocol proxy). Statements PostgreSQL runs as they are go straight
 * through; the ones the stand-in performs itself (UNLOAD, COPY from S3,
 * Spectrum DDL and partitions) run as several statements in that same session,
 * wrapped in a transaction unless the session already is in one.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { CATALOG_SCHEMA, externalTypeName, SPECTRUM_DATA_SCHEMA } from './catalog.js';
import { S3Error, listPrefix, listSpectrumFiles, localPath, parseS3Url, type S3Object } from './s3.js';
import { quoteIdent, quoteStringE, renderName } from './sql-lexer.js';
import type {
  AlterExternalTableSpec,
  ColumnDef,
  CopySpec,
  CreateExternalSchemaSpec,
  CreateExternalTableSpec,
  QualifiedName,
  Translation,
  UnloadSpec,
} from './translate.js';

export interface QueryField {
  name: string;
  dataTypeID: number;
  dataTypeModifier: number;
}

export interface QueryResult {
  command: string;
  rowCount: number | null;
  fields: QueryField[];
  /** text values as PostgreSQL sends them; null for NULL */
  rows: Array<Array<string | null>>;
}

/** One PostgreSQL session. */
export interface Runner {
  query(sql: string): Promise<QueryResult>;
  /** COPY … FROM STDIN with this data; returns the rows copied. */
  copyIn(sql: string, data: Buffer[]): Promise<number>;
  /** COPY … TO STDOUT; returns the rows copied. */
  copyOut(sql: string, onData: (chunk: Buffer) => void): Promise<number>;
  /** The session is inside a transaction block (or a failed one). */
  inTransaction(): boolean;
  /** ReadyForQuery status: idle, in a transaction block, in a failed one. */
  transactionStatus(): 'I' | 'T' | 'E';
}

/** An error reported like a PostgreSQL/Redshift error (SQLSTATE code). */
export class StandinSqlError extends Error {
  constructor(
    message: string,
    readonly code = 'XX000',
  ) {
    super(message);
  }
}

export interface Outcome {
  /** command tag (PostgreSQL protocol) */
  tag: string;
  /** rows returned or affected (null when not applicable) */
  rowCount: number | null;
  /** the rows, for statements that return them */
  result?: QueryResult;
  /** INFO messages Redshift would send */
  notices: string[];
}

export interface ExecContext {
  s3Root: string;
}

const S = CATALOG_SCHEMA;
/** Literals in the stand-in's own SQL: E'…', right whatever standard_conforming_strings is. */
const lit = quoteStringE;

/**
 * Executes one translation. An error the stand-in raises itself inside the
 * client's transaction block is raised on the server too, so the transaction
 * is aborted as it would be on Redshift.
 */
export async function execute(t: Translation, runner: Runner, ctx: ExecContext): Promise<Outcome> {
  try {
    return await executeInner(t, runner, ctx);
  } catch (e) {
    if (e instanceof StandinSqlError && runner.transactionStatus() === 'T') {
      await runner.query(`do $standin$ begin raise exception using message = ${lit(e.message)}, errcode = ${lit(e.code)}; end $standin$`);
    }
    throw e;
  }
}

async function executeInner(t: Translation, runner: Runner, ctx: ExecContext): Promise<Outcome> {
  switch (t.kind) {
    case 'error':
      throw new StandinSqlError(t.message, t.code ?? '0A000');
    case 'noop':
      if (t.notInTransaction && runner.inTransaction()) throw notInTxn(t.notInTransaction);
      return { tag: t.tag, rowCount: null, notices: [] };
    case 'queryGroup':
      // recorded per backend for stv_inflight.label (catalog.ts)
      await runner.query(`select ${S}.set_query_group(${t.label === null ? 'null' : lit(t.label)})`);
      return { tag: t.tag, rowCount: null, notices: [] };
    case 'sql': {
      await preflight(t, runner);
      const result = await runner.query(t.sql);
      return { tag: result.command, rowCount: result.rowCount, result: result.fields.length ? result : undefined, notices: [] };
    }
    case 'unload':
      return unload(t, runner, ctx);
    case 'copy':
      return copyFromS3(t, runner, ctx);
    case 'createExternalSchema':
      return createExternalSchema(t, runner);
    case 'createExternalTable':
      return createExternalTable(t, runner, ctx);
    case 'alterExternalTable':
      return alterExternalTable(t, runner, ctx);
  }
}

/** Checks a pass-through statement must pass before it runs (DROP of an external table inside a transaction block). */
export async function preflight(t: Translation, runner: Runner): Promise<void> {
  if (t.kind !== 'sql' || !t.dropTables?.length || !runner.inTransaction()) return;
  for (const name of t.dropTables) {
    const resolved = await resolveTable(runner, name);
    if (resolved && (await externalMeta(runner, resolved.schema, resolved.name))) {
      throw notInTxn('DROP EXTERNAL TABLE');
    }
  }
}

/** Whether a translation needs the stand-in (anything but plain SQL without preflight checks). */
export function needsStandin(t: Translation, inTransaction: boolean): boolean {
  if (t.kind === 'sql') return !!t.dropTables?.length && inTransaction;
  return true;
}

const notInTxn = (what: string) => new StandinSqlError(`${what} cannot run inside a transaction block`, '25001');

async function withTransaction<T>(runner: Runner, fn: () => Promise<T>): Promise<T> {
  if (runner.inTransaction()) return fn();
  await runner.query('begin');
  try {
    const out = await fn();
    await runner.query('commit');
    return out;
  } catch (e) {
    await runner.query('rollback').catch(() => undefined);
    throw e;
  }
}

async function resolveTable(runner: Runner, name: QualifiedName): Promise<{ schema: string; name: string } | null> {
  const r = await runner.query(
    `select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = to_regclass(${lit(renderName(name))})`,
  );
  const row = r.rows[0];
  return row ? { schema: row[0]!, name: row[1]! } : null;
}

interface ExternalMeta {
  schemaname: string;
  tablename: string;
  location: string;
  format: 'textfile' | 'parquet';
  serde: 'lazysimple' | 'opencsv' | 'parquet';
  delimiter: string;
  skipHeader: number;
  columns: Array<ColumnDef & { external_type: string }>;
  partitionKeys: Array<ColumnDef & { external_type: string }>;
  parameters: Record<string, string>;
  serdeParameters: Record<string, string>;
}

async function externalMeta(runner: Runner, schema: string, table: string): Promise<ExternalMeta | null> {
  const r = await runner.query(
    `select location, format, serde, delimiter, skip_header, columns::text, partition_keys::text, parameters, serde_parameters
       from ${S}.external_tables where schemaname = ${lit(schema)} and tablename = ${lit(table)}`,
  );
  const row = r.rows[0];
  if (!row) return null;
  return {
    schemaname: schema,
    tablename: table,
    location: row[0]!,
    format: row[1] as ExternalMeta['format'],
    serde: row[2] as ExternalMeta['serde'],
    delimiter: row[3] ?? ',',
    skipHeader: Number(row[4] ?? 0),
    columns: JSON.parse(row[5]!),
    partitionKeys: JSON.parse(row[6]!),
    parameters: JSON.parse(row[7]!),
    serdeParameters: JSON.parse(row[8]!),
  };
}

// ---------------------------------------------------------------- loading files

interface LoadFormat {
  kind: 'hive-text' | 'open-csv' | 'csv' | 'parquet-by-name' | 'parquet-by-position';
  delimiter: string;
  quote: string;
  /** lines to skip at the start of each file */
  skipLines: number;
  /** the NULL string of a CSV file (text kinds) */
  nullString?: string;
  /** OpenCSVSerde's escape character */
  escape?: string;
  gzip?: boolean;
}

interface LoadTarget {
  table: { schema: string; name: string };
  /** the file's columns, in file order, with their target types */
  columns: ColumnDef[];
  /** constant columns (partition values) */
  constants: Array<{ name: string; type: string; value: string }>;
  /** how empty strings load: Spectrum text and Redshift COPY differ */
  emptyAsNull: 'non-string' | 'all';
  blanksAsNull?: boolean;
}

let stageCounter = 0;

const isStringType = (type: string) => /^\s*(character|char|varchar|nvarchar|bpchar|text|nchar|string)\b/i.test(type);

/** Converts a staged text column to its target type the way the engine reads files. */
function castExpr(col: string, type: string, target: LoadTarget): string {
  const c = quoteIdent(col);
  if (isStringType(type)) {
    let v = c;
    if (target.blanksAsNull) v = `nullif(btrim(${v}), '')`;
    else if (target.emptyAsNull === 'all') v = `nullif(${v}, '')`;
    // an explicit cast to varchar(n) truncates, as Spectrum does
    return `(${v})::${type}`;
  }
  return `nullif(btrim(${c}), '')::${type}`;
}

/** Splits Hive text (LazySimpleSerDe) into rows of fields: no quoting; \N is NULL; missing trailing fields are NULL. */
function hiveRows(text: string, delimiter: string, width: number): Array<Array<string | null>> {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    .filter((l) => l.length > 0)
    .map((l) => {
      const fields: Array<string | null> = l.split(delimiter).slice(0, width).map((f) => (f === '\\N' ? null : f));
      while (fields.length < width) fields.push(null);
      return fields;
    });
}

/**
 * Splits text the way Hive's OpenCSVSerde (opencsv's CSVParser) does: fields
 * quoted with `quote` may hold the separator and line breaks; inside a field,
 * a doubled quote or `escape` + quote is a quote, `escape` + `escape` is one
 * escape character, and an `escape` before anything else is dropped. Every
 * field is a string (never NULL); missing trailing fields are NULL.
 */
function openCsvRows(text: string, sep: string, quote: string, escape: string, width: number): Array<Array<string | null>> {
  const rows: Array<Array<string | null>> = [];
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let inField = false;
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) {
      const row: Array<string | null> = fields.slice(0, width);
      while (row.length < width) row.push(null);
      rows.push(row);
    }
    fields = [];
    field = '';
    inField = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const next = text[i + 1];
    if (c === escape && escape !== quote) {
      if ((inQuotes || inField) && (next === quote || next === escape)) {
        field += next;
        i++;
      }
      // an escape before anything else is dropped
    } else if (c === quote) {
      if ((inQuotes || inField) && next === quote) {
        field += quote;
        i++;
      } else {
        inQuotes = !inQuotes;
        inField = !inField;
      }
    } else if (c === sep && !inQuotes) {
      fields.push(field);
      field = '';
      inField = false;
    } else if ((c === '\n' || c === '\r') && !inQuotes) {
      if (c === '\r' && next === '\n') i++;
      endRow();
    } else {
      field += c;
      inField = true;
    }
  }
  if (field !== '' || fields.length) endRow();
  return rows;
}

/** CSV text of rows for COPY … (FORMAT csv): NULL unquoted-empty, strings always quoted. */
function toCsv(rows: Array<Array<string | null>>): string {
  return rows.map((r) => r.map((v) => (v === null ? '' : `"${v.replace(/"/g, '""')}"`)).join(',')).join('\n') + (rows.length ? '\n' : '');
}

function skipLines(text: string, n: number): string {
  let out = text;
  for (let i = 0; i < n; i++) {
    const nl = out.indexOf('\n');
    if (nl < 0) return '';
    out = out.slice(nl + 1);
  }
  return out;
}

async function withDuck<T>(fn: (run: (sql: string) => Promise<Array<Record<string, unknown>>>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    return await fn(async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const duckStr = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** A parquet file as CSV (header-less, NULL as \N) with the given columns: by name (missing → NULL) or by position. */
async function parquetAsCsv(path: string, columns: ColumnDef[], byName: boolean): Promise<string> {
  const tmp = mkdtempSync(join(tmpdir(), 'standin-pq-'));
  const out = join(tmp, 'data.csv');
  try {
    await withDuck(async (run) => {
      const described = await run(`describe select * from read_parquet(${duckStr(path)})`);
      const names = described.map((r) => String(r.column_name));
      let select: string;
      if (byName) {
        select = columns
          .map((c) => {
            const found = names.find((n) => n.toLowerCase() === c.name.toLowerCase());
            return found ? `"${found.replace(/"/g, '""')}"` : 'NULL';
          })
          .join(', ');
      } else {
        if (names.length !== columns.length) {
          throw new StandinSqlError(
            `Spectrum/COPY: the parquet file ${path} has ${names.length} columns, the target has ${columns.length}`,
            '22P04',
          );
        }
        select = names.map((n) => `"${n.replace(/"/g, '""')}"`).join(', ');
      }
      await run(`copy (select ${select} from read_parquet(${duckStr(path)})) to ${duckStr(out)} (format csv, header false, nullstr '\\N')`);
    }).catch((e: unknown) => {
      if (e instanceof StandinSqlError) throw e;
      throw new StandinSqlError(`error reading parquet file ${path}: ${(e as Error).message}`, '22P04');
    });
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Loads files into a table through a staging temp table of text columns. Returns the rows inserted. */
async function loadFiles(runner: Runner, files: S3Object[], format: LoadFormat, target: LoadTarget): Promise<number> {
  if (!files.length) return 0;
  const stage = `standin_stage_${process.pid}_${++stageCounter}`;
  const cols = target.columns.map((c, i) => ({ ...c, stageName: `c${i + 1}` }));
  await runner.query(`create temporary table ${quoteIdent(stage)} (${cols.map((c) => `${c.stageName} text`).join(', ')})`);
  try {
    for (const file of files) {
      let data: string;
      let copyOptions: string;
      if (format.kind === 'parquet-by-name' || format.kind === 'parquet-by-position') {
        data = await parquetAsCsv(file.path, target.columns, format.kind === 'parquet-by-name');
        copyOptions = `format csv, null ${lit('\\N')}`;
      } else {
        let raw = readFileSync(file.path);
        if (format.gzip || file.key.endsWith('.gz')) {
          try {
            raw = gunzipSync(raw);
          } catch (e) {
            if (format.gzip) throw new StandinSqlError(`gzip: ${file.url}: ${(e as Error).message}`, '22P04');
          }
        }
        const text = skipLines(raw.toString('utf8'), format.skipLines);
        if (format.kind === 'hive-text') {
          data = toCsv(hiveRows(text, format.delimiter, cols.length));
          copyOptions = 'format csv';
        } else if (format.kind === 'open-csv') {
          data = toCsv(openCsvRows(text, format.delimiter, format.quote, format.escape ?? '\\', cols.length));
          copyOptions = 'format csv';
        } else {
          data = text;
          copyOptions = `format csv, delimiter ${lit(format.delimiter)}, quote ${lit(format.quote)}, null ${lit(format.nullString ?? '\\N')}`;
        }
      }
      if (!data.length) continue;
      try {
        await runner.copyIn(`copy ${quoteIdent(stage)} from stdin with (${copyOptions})`, [Buffer.from(data, 'utf8')]);
      } catch (e) {
        const err = e as Error & { code?: string };
        throw new StandinSqlError(`${err.message} (loading ${file.url})`, err.code ?? '22P04');
      }
    }
    const insertCols = [...cols.map((c) => c.name), ...target.constants.map((c) => c.name)].map(quoteIdent).join(', ');
    const selectExprs = [
      ...cols.map((c) => castExpr(c.stageName, c.type, target)),
      ...target.constants.map((c) => `${lit(c.value)}::${c.type}`),
    ].join(', ');
    const r = await runner.query(
      `insert into ${quoteIdent(target.table.schema)}.${quoteIdent(target.table.name)} (${insertCols}) select ${selectExprs} from ${quoteIdent(stage)}`,
    );
    return r.rowCount ?? 0;
  } finally {
    await runner.query(`drop table if exists ${quoteIdent(stage)}`).catch(() => undefined);
  }
}

function spectrumFormat(meta: ExternalMeta): LoadFormat {
  if (meta.format === 'parquet') return { kind: 'parquet-by-name', delimiter: ',', quote: '"', skipLines: 0 };
  if (meta.serde === 'opencsv') {
    return {
      kind: 'open-csv',
      delimiter: meta.serdeParameters.separatorChar ?? ',',
      quote: meta.serdeParameters.quoteChar ?? '"',
      escape: meta.serdeParameters.escapeChar ?? '\\',
      skipLines: meta.skipHeader,
    };
  }
  return { kind: 'hive-text', delimiter: meta.delimiter, quote: '"', skipLines: meta.skipHeader };
}

/** (Re)loads the rows of one partition (or of the whole unpartitioned table) from its files. */
async function reloadData(runner: Runner, ctx: ExecContext, meta: ExternalMeta, partition?: { values: string[]; location: string }): Promise<number> {
  const table = { schema: meta.schemaname, name: meta.tablename };
  const where = partition
    ? meta.partitionKeys.map((k, i) => `${quoteIdent(k.name)} = ${lit(partition.values[i])}::${k.type}`).join(' and ')
    : 'true';
  await runner.query(`select set_config('standin.loading', 'on', true)`);
  await runner.query(`delete from ${quoteIdent(table.schema)}.${quoteIdent(table.name)} where ${where}`);
  await runner.query(`select set_config('standin.loading', '', true)`);
  const location = partition ? partition.location : meta.location;
  const files = listSpectrumFiles(ctx.s3Root, location);
  return loadFiles(runner, files, spectrumFormat(meta), {
    table,
    columns: meta.columns,
    constants: partition ? meta.partitionKeys.map((k, i) => ({ name: k.name, type: k.type, value: partition.values[i] })) : [],
    emptyAsNull: 'non-string',
  });
}

// ---------------------------------------------------------------- Spectrum DDL

async function createExternalSchema(t: CreateExternalSchemaSpec, runner: Runner): Promise<Outcome> {
  return withTransaction(runner, async () => {
    const exists = (await runner.query(`select 1 from pg_namespace where nspname = ${lit(t.schema)}`)).rows.length > 0;
    const registered = (await runner.query(`select 1 from ${S}.external_schemas where schemaname = ${lit(t.schema)}`)).rows.length > 0;
    if (exists) {
      if (!t.ifNotExists) throw new StandinSqlError(`schema "${t.schema}" already exists`, '42P06');
      return { tag: 'CREATE SCHEMA', rowCount: null, notices: [`schema "${t.schema}" already exists, skipping`] };
    }
    await runner.query(`create schema ${quoteIdent(t.schema)}`);
    if (!registered) {
      await runner.query(
        `insert into ${S}.external_schemas (schemaname, databasename, iam_role, region) values (${lit(t.schema)}, ${lit(t.catalogDatabase)}, ${t.iamRole ? lit(t.iamRole) : 'null'}, ${t.region ? lit(t.region) : 'null'})`,
      );
    }
    return { tag: 'CREATE SCHEMA', rowCount: null, notices: [] };
  });
}

function hiveType(type: string): string {
  const t = type.trim().toLowerCase();
  if (t === 'double') return 'double precision';
  if (t === 'float') return 'double precision';
  if (t === 'string') return 'varchar(65535)';
  if (t === 'tinyint') return 'smallint';
  return type;
}

function formatClasses(format: 'textfile' | 'parquet', serde: 'lazysimple' | 'opencsv') {
  if (format === 'parquet') {
    return {
      input: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      output: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      serdeLib: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    };
  }
  return {
    input: 'org.apache.hadoop.mapred.TextInputFormat',
    output: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    serdeLib: serde === 'opencsv' ? 'org.apache.hadoop.hive.serde2.OpenCSVSerde' : 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
  };
}

async function createExternalTable(t: CreateExternalTableSpec, runner: Runner, ctx: ExecContext): Promise<Outcome> {
  if (runner.inTransaction()) throw notInTxn('CREATE EXTERNAL TABLE');
  const schema = t.table.schema!;
  const name = t.table.name;
  return withTransaction(runner, async () => {
    const isExternalSchema = (await runner.query(`select 1 from ${S}.external_schemas where schemaname = ${lit(schema)}`)).rows.length > 0;
    if (!isExternalSchema) throw new StandinSqlError(`External tables must be created in an external schema: "${schema}" is not one`, '3F000');
    const exists = (await runner.query(`select to_regclass(${lit(`${quoteIdent(schema)}.${quoteIdent(name)}`)}) is not null`)).rows[0][0] === 't';
    if (exists) {
      if (t.ifNotExists) return { tag: 'CREATE EXTERNAL TABLE', rowCount: null, notices: [] };
      throw new StandinSqlError(`relation "${name}" already exists`, '42P07');
    }
    const columns = t.columns.map((c) => ({ name: c.name, type: hiveType(c.type), external_type: externalTypeName(hiveType(c.type)) }));
    const partitionKeys = t.partitions.map((c) => ({ name: c.name, type: hiveType(c.type), external_type: externalTypeName(hiveType(c.type)) }));
    const all = [...columns, ...partitionKeys];
    const qualified = `${quoteIdent(schema)}.${quoteIdent(name)}`;
    // A partitioned table (relkind 'p') with its rows in one default partition in a
    // schema of the stand-in's: like Redshift's external tables, it is no 'r' or 'v'
    // relation in pg_class of the external schema, so catalog queries over those don't list it.
    await runner.query(`create table ${qualified} (${all.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')}) partition by list (${quoteIdent(all[0].name)})`);
    await runner.query(`create table ${SPECTRUM_DATA_SCHEMA}.${quoteIdent(`${schema}__${name}`.slice(0, 63))} partition of ${qualified} default`);
    await runner.query(
      `create trigger standin_external_guard before update or delete or truncate on ${qualified} for each statement execute function ${S}.reject_external_dml()`,
    );
    const classes = formatClasses(t.format, t.serde);
    const skipHeader = Number(t.tableProperties['skip.header.line.count'] ?? 0) || 0;
    const serdeParameters =
      t.format === 'parquet'
        ? { 'serialization.format': '1' }
        : t.serde === 'opencsv'
          ? { ...t.serdeProperties }
          : { 'field.delim': t.delimiter, 'serialization.format': t.delimiter, ...t.serdeProperties };
    const parameters = { EXTERNAL: 'TRUE', ...t.tableProperties };
    await runner.query(
      `insert into ${S}.external_tables (schemaname, tablename, location, format, serde, delimiter, input_format, output_format, serialization_lib,
         serde_parameters, parameters, skip_header, columns, partition_keys)
       values (${lit(schema)}, ${lit(name)}, ${lit(t.location)}, ${lit(t.format)}, ${lit(t.format === 'parquet' ? 'parquet' : t.serde)}, ${lit(t.delimiter)},
         ${lit(classes.input)}, ${lit(classes.output)}, ${lit(classes.serdeLib)}, ${lit(JSON.stringify(serdeParameters))}, ${lit(JSON.stringify(parameters))},
         ${skipHeader}, ${lit(JSON.stringify(columns))}::jsonb, ${lit(JSON.stringify(partitionKeys))}::jsonb)`,
    );
    if (!partitionKeys.length) {
      const meta = await externalMeta(runner, schema, name);
      await reloadData(runner, ctx, meta!);
    }
    return { tag: 'CREATE EXTERNAL TABLE', rowCount: null, notices: [] };
  });
}

async function alterExternalTable(t: AlterExternalTableSpec, runner: Runner, ctx: ExecContext): Promise<Outcome> {
  if (runner.inTransaction()) throw notInTxn('ALTER EXTERNAL TABLE');
  return withTransaction(runner, async () => {
    const resolved = t.table.schema ? { schema: t.table.schema, name: t.table.name } : await resolveTable(runner, t.table);
    const meta = resolved ? await externalMeta(runner, resolved.schema, resolved.name) : null;
    if (!resolved || !meta) {
      const exists = resolved && (await runner.query(`select to_regclass(${lit(renderName(t.table))}) is not null`)).rows[0][0] === 't';
      if (!exists) throw new StandinSqlError(`relation "${renderName(t.table).replace(/"/g, '')}" does not exist`, '42P01');
      throw new StandinSqlError(`"${t.table.name}" is not an external table`, '42809');
    }
    const keyOrder = (values: Array<[string, string]>): string[] => {
      const byName = new Map(values.map(([k, v]) => [k.toLowerCase(), v]));
      const wanted = meta.partitionKeys.map((k) => k.name.toLowerCase());
      if (byName.size !== values.length || values.length !== wanted.length || !wanted.every((w) => byName.has(w))) {
        throw new StandinSqlError(
          `partition columns of ${meta.schemaname}.${meta.tablename} are (${meta.partitionKeys.map((k) => k.name).join(', ')}); got (${values.map(([k]) => k).join(', ')})`,
          '42703',
        );
      }
      return wanted.map((w) => byName.get(w)!);
    };
    const where = (valuesJson: string) =>
      `schemaname = ${lit(meta.schemaname)} and tablename = ${lit(meta.tablename)} and partition_values = ${lit(valuesJson)}`;
    const a = t.action;
    switch (a.op) {
      case 'addPartitions': {
        if (!meta.partitionKeys.length) throw new StandinSqlError(`table ${meta.schemaname}.${meta.tablename} is not partitioned`, '42P17');
        let rows = 0;
        for (const p of a.partitions) {
          const values = keyOrder(p.values);
          const json = JSON.stringify(values);
          const existing = (await runner.query(`select location from ${S}.external_partitions where ${where(json)}`)).rows[0];
          if (existing && !a.ifNotExists) throw new StandinSqlError('Partition already exists.', '42P07');
          const location = existing ? existing[0]! : p.location;
          if (!existing) {
            await runner.query(
              `insert into ${S}.external_partitions (schemaname, tablename, partition_values, location) values (${lit(meta.schemaname)}, ${lit(meta.tablename)}, ${lit(json)}, ${lit(location)})`,
            );
          }
          rows += await reloadData(runner, ctx, meta, { values, location });
        }
        return { tag: 'ALTER TABLE', rowCount: rows, notices: [] };
      }
      case 'dropPartition': {
        const values = keyOrder(a.values);
        const json = JSON.stringify(values);
        const r = await runner.query(`delete from ${S}.external_partitions where ${where(json)}`);
        if (!r.rowCount) throw new StandinSqlError('Partition not found.', '42704');
        await runner.query(`select set_config('standin.loading', 'on', true)`);
        await runner.query(
          `delete from ${quoteIdent(meta.schemaname)}.${quoteIdent(meta.tablename)} where ${meta.partitionKeys.map((k, i) => `${quoteIdent(k.name)} = ${lit(values[i])}::${k.type}`).join(' and ')}`,
        );
        await runner.query(`select set_config('standin.loading', '', true)`);
        return { tag: 'ALTER TABLE', rowCount: null, notices: [] };
      }
      case 'setPartitionLocation': {
        const values = keyOrder(a.values);
        const json = JSON.stringify(values);
        const r = await runner.query(`update ${S}.external_partitions set location = ${lit(a.location)} where ${where(json)}`);
        if (!r.rowCount) throw new StandinSqlError('Partition not found.', '42704');
        await reloadData(runner, ctx, meta, { values, location: a.location });
        return { tag: 'ALTER TABLE', rowCount: null, notices: [] };
      }
      case 'setLocation':
      case 'setTableProperties':
      case 'setFileFormat': {
        if (a.op === 'setLocation') {
          await runner.query(`update ${S}.external_tables set location = ${lit(a.location)} where schemaname = ${lit(meta.schemaname)} and tablename = ${lit(meta.tablename)}`);
        } else if (a.op === 'setTableProperties') {
          const parameters = { ...meta.parameters, ...a.properties };
          const skip = Number(parameters['skip.header.line.count'] ?? 0) || 0;
          await runner.query(
            `update ${S}.external_tables set parameters = ${lit(JSON.stringify(parameters))}, skip_header = ${skip} where schemaname = ${lit(meta.schemaname)} and tablename = ${lit(meta.tablename)}`,
          );
        } else {
          if (a.format !== 'parquet' && a.format !== 'textfile') throw new StandinSqlError(`file format ${a.format} is not supported by the Redshift stand-in`, '0A000');
          const classes = formatClasses(a.format, 'lazysimple');
          await runner.query(
            `update ${S}.external_tables set format = ${lit(a.format)}, serde = ${lit(a.format === 'parquet' ? 'parquet' : 'lazysimple')}, input_format = ${lit(classes.input)}, output_format = ${lit(classes.output)}, serialization_lib = ${lit(classes.serdeLib)} where schemaname = ${lit(meta.schemaname)} and tablename = ${lit(meta.tablename)}`,
          );
        }
        // Spectrum reads the files at query time: what the table shows changes at once
        const fresh = (await externalMeta(runner, meta.schemaname, meta.tablename))!;
        if (!fresh.partitionKeys.length) await reloadData(runner, ctx, fresh);
        else {
          const parts = await runner.query(`select partition_values, location from ${S}.external_partitions where schemaname = ${lit(meta.schemaname)} and tablename = ${lit(meta.tablename)}`);
          for (const [valuesJson, location] of parts.rows) await reloadData(runner, ctx, fresh, { values: JSON.parse(valuesJson!), location: location! });
        }
        return { tag: 'ALTER TABLE', rowCount: null, notices: [] };
      }
    }
  });
}

// ---------------------------------------------------------------- COPY from S3

async function copyFromS3(t: CopySpec, runner: Runner, ctx: ExecContext): Promise<Outcome> {
  let files: S3Object[];
  try {
    if (t.manifest) {
      const manifest = JSON.parse(readFileSync(localPath(ctx.s3Root, t.source), 'utf8')) as { entries: Array<{ url: string; mandatory?: boolean }> };
      files = [];
      for (const e of manifest.entries) {
        const found = listPrefix(ctx.s3Root, e.url).filter((o) => o.url === e.url);
        if (!found.length && e.mandatory) throw new StandinSqlError(`Manifest file ${t.source}: mandatory file ${e.url} not found`, '58P01');
        files.push(...found);
      }
    } else {
      files = listPrefix(ctx.s3Root, t.source);
      if (!files.length) throw new StandinSqlError(`The specified S3 prefix '${parseS3Url(t.source).key}' does not exist`, '58P01');
    }
  } catch (e) {
    if (e instanceof S3Error) throw new StandinSqlError(e.message, '58P01');
    if (e instanceof StandinSqlError) throw e;
    throw new StandinSqlError((e as Error).message, '58P01');
  }
  return withTransaction(runner, async () => {
    const resolved = await resolveTable(runner, t.table);
    if (!resolved) throw new StandinSqlError(`relation "${renderName(t.table).replace(/"/g, '')}" does not exist`, '42P01');
    const described = await runner.query(
      `select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a
        where a.attrelid = to_regclass(${lit(`${quoteIdent(resolved.schema)}.${quoteIdent(resolved.name)}`)}) and a.attnum > 0 and not a.attisdropped
          and a.attgenerated = '' and (a.attidentity = '' or ${t.columns ? 'true' : 'false'})
        order by a.attnum`,
    );
    const tableCols = described.rows.map(([name, type]) => ({ name: name!, type: type! }));
    const columns = t.columns
      ? t.columns.map((c) => {
          const found = tableCols.find((tc) => tc.name === c);
          if (!found) throw new StandinSqlError(`column "${c}" of relation "${resolved.name}" does not exist`, '42703');
          return found;
        })
      : tableCols;
    const format: LoadFormat =
      t.format === 'parquet'
        ? { kind: 'parquet-by-position', delimiter: ',', quote: '"', skipLines: 0 }
        : {
            kind: 'csv',
            delimiter: t.delimiter,
            quote: t.format === 'csv' ? t.quote : t.delimiter === '\u0001' ? '\u0002' : '\u0001',
            skipLines: t.ignoreHeader,
            nullString: t.nullAs ?? '\\N',
            gzip: t.gzip,
          };
    const rows = await loadFiles(runner, files, format, {
      table: resolved,
      columns,
      constants: [],
      emptyAsNull: t.emptyAsNull ? 'all' : 'non-string',
      blanksAsNull: t.blanksAsNull,
    });
    return {
      tag: `COPY ${rows}`,
      rowCount: rows,
      notices: [`Load into table '${resolved.name}' completed, ${rows} record(s) loaded successfully.`],
    };
  });
}

// ---------------------------------------------------------------- UNLOAD

/** The files an UNLOAD writes (one slice: the stand-in's cluster has one). */
export function unloadFileUrls(t: UnloadSpec): { data: string; manifest?: string } {
  const base = t.parallel ? `${t.target}0000_part_00` : `${t.target}000`;
  let suffix = '';
  if (t.extension !== undefined) suffix = t.extension ? `.${t.extension}` : '';
  else if (t.format === 'parquet') suffix = '.parquet';
  else if (t.gzip) suffix = '.gz';
  return { data: base + suffix, manifest: t.manifest ? `${t.target}manifest` : undefined };
}

const DUCK_TYPES: Record<number, string> = {
  16: 'BOOLEAN',
  20: 'BIGINT',
  21: 'SMALLINT',
  23: 'INTEGER',
  700: 'FLOAT',
  701: 'DOUBLE',
  1082: 'DATE',
  1114: 'TIMESTAMP',
  1184: 'TIMESTAMP',
  1083: 'TIME',
};

function duckType(f: QueryField): string {
  if (f.dataTypeID === 1700) {
    if (f.dataTypeModifier >= 4) {
      const precision = ((f.dataTypeModifier - 4) >> 16) & 0xffff;
      const scale = (f.dataTypeModifier - 4) & 0xffff;
      if (precision <= 38) return `DECIMAL(${precision}, ${scale})`;
    }
    return 'DOUBLE';
  }
  return DUCK_TYPES[f.dataTypeID] ?? 'VARCHAR';
}

async function unload(t: UnloadSpec, runner: Runner, ctx: ExecContext): Promise<Outcome> {
  const urls = unloadFileUrls(t);
  let dataPath: string;
  let manifestPath: string | undefined;
  try {
    dataPath = localPath(ctx.s3Root, urls.data);
    manifestPath = urls.manifest ? localPath(ctx.s3Root, urls.manifest) : undefined;
    const existing = listPrefix(ctx.s3Root, t.target);
    if (existing.length && t.cleanPath) for (const o of existing) rmSync(o.path, { force: true });
    else if (existing.length && !t.allowOverwrite) {
      throw new StandinSqlError(
        'Specified unload destination on S3 is not empty. Consider using a different bucket / prefix, manually removing the target files in S3, or using the ALLOWOVERWRITE option.',
        '58P02',
      );
    }
  } catch (e) {
    if (e instanceof S3Error) throw new StandinSqlError(e.message, '58P01');
    throw e;
  }
  let rows: number;
  let content: Buffer;
  if (t.format === 'parquet') {
    const tmp = mkdtempSync(join(tmpdir(), 'standin-unload-'));
    try {
      const probe = await runner.query(`select * from (${t.query}) standin_unload limit 0`);
      const csvPath = join(tmp, 'data.csv');
      const chunks: Buffer[] = [];
      rows = await runner.copyOut(`copy (${t.query}) to stdout with (format csv, header true)`, (c) => chunks.push(c));
      writeFileSync(csvPath, Buffer.concat(chunks));
      const parquetPath = join(tmp, 'data.parquet');
      const columns = probe.fields.map((f) => `${duckStr(f.name)}: ${duckStr(duckType(f))}`).join(', ');
      await withDuck(async (run) => {
        await run(
          `copy (select * from read_csv(${duckStr(csvPath)}, header = true, columns = {${columns}}, allow_quoted_nulls = false, nullstr = '', quote = '"', escape = '"', delim = ',')) to ${duckStr(parquetPath)} (format parquet, compression snappy)`,
        );
      });
      content = readFileSync(parquetPath);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  } else if (t.format === 'json') {
    const r = await runner.query(`select row_to_json(standin_unload)::text from (${t.query}) standin_unload`);
    rows = r.rows.length;
    content = Buffer.from(r.rows.map((row) => row[0]).join('\n') + (r.rows.length ? '\n' : ''), 'utf8');
  } else {
    // CSV (and ADDQUOTES) quote like Redshift's CSV; plain text is PostgreSQL's text format (backslash escapes as with ESCAPE)
    const quoted = t.format === 'csv' || t.addQuotes;
    const options = [
      quoted ? 'format csv' : 'format text',
      `delimiter ${lit(t.delimiter)}`,
      `header ${t.header ? 'true' : 'false'}`,
      `null ${lit(t.nullAs)}`,
    ];
    if (quoted) options.push(`quote '"'`);
    if (t.addQuotes) options.push('force_quote *');
    const chunks: Buffer[] = [];
    rows = await runner.copyOut(`copy (${t.query}) to stdout with (${options.join(', ')})`, (c) => chunks.push(c));
    content = Buffer.concat(chunks);
    if (t.gzip) content = gzipSync(content);
  }
  mkdirSync(dirname(dataPath), { recursive: true });
  writeFileSync(dataPath, content);
  if (manifestPath) {
    mkdirSync(dirname(manifestPath), { recursive: true });
    writeFileSync(manifestPath, JSON.stringify({ entries: [{ url: urls.data, meta: { content_length: content.length } }] }));
  }
  return { tag: `UNLOAD ${rows}`, rowCount: rows, notices: [`UNLOAD completed, ${rows} record(s) unloaded successfully.`] };
}

export const _internal = { hiveRows, openCsvRows, toCsv };
