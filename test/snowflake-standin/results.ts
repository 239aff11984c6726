/**
 * Result encoding as the service does it for `queryResultFormat: json`
 * (test only): rowtype metadata, the JSON rowset (every cell a string or
 * null, in the form snowflake-sdk's column decoders expect), statement type
 * ids, DML counts, and the split of large results into gzipped chunks.
 */
import { gzipSync } from 'node:zlib';
import type { SfColumn, SfValue, StatementKind, StatementResult } from './engine-types.js';

/** Statement type ids (data.statementTypeId) as the service reports them. */
export const STATEMENT_TYPE_IDS: Record<StatementKind, number> = {
  select: 0x1000,
  insert: 0x3100,
  update: 0x3200,
  delete: 0x3300,
  merge: 0x3400,
  multi_table_insert: 0x3500,
  copy: 0x3600,
  unload: 0x3700,
  alter_session: 0x4100,
  use: 0x4300,
  show: 0x4400,
  transaction: 0x5000,
  ddl: 0x6000,
  get: 0x7100,
  put: 0x7200,
  other: 0x0000,
};

/** One column of data.rowtype. */
export interface RowType {
  name: string;
  database: string;
  schema: string;
  table: string;
  type: string;
  nullable: boolean;
  precision: number | null;
  scale: number | null;
  length: number | null;
  byteLength: number | null;
  collation: null;
}

const MAX_TEXT = 16_777_216;
const MAX_BINARY = 8_388_608;

export function rowTypeOf(c: SfColumn): RowType {
  const isTimeLike = c.type === 'time' || c.type.startsWith('timestamp');
  const length = c.type === 'text' ? (c.length ?? MAX_TEXT) : c.type === 'binary' ? (c.length ?? MAX_BINARY) : null;
  return {
    name: c.name,
    database: c.database ?? '',
    schema: c.schema ?? '',
    table: c.table ?? '',
    type: c.type,
    nullable: c.nullable,
    precision: c.type === 'fixed' ? (c.precision ?? 38) : isTimeLike ? 0 : null,
    scale: c.type === 'fixed' ? (c.scale ?? 0) : isTimeLike ? (c.scale ?? 9) : null,
    length,
    byteLength: c.type === 'text' && length !== null ? Math.min(length * 4, MAX_TEXT) : length,
    collation: null,
  };
}

/** A cell as the JSON rowset carries it. */
export function encodeCell(c: SfColumn, v: SfValue): string | null {
  if (v === null || v === undefined) return null;
  switch (c.type) {
    case 'fixed':
      return encodeFixed(v, c.scale ?? 0);
    case 'real':
      return typeof v === 'number' ? encodeReal(v) : String(v);
    case 'boolean':
      return encodeBoolean(v);
    case 'date':
      return String(daysSinceEpoch(String(v)));
    case 'time':
      return encodeTime(String(v), c.scale ?? 9);
    case 'timestamp_ntz':
    case 'timestamp_ltz':
      return encodeTimestamp(String(v), c.scale ?? 9).epoch;
    case 'timestamp_tz': {
      const { epoch, offsetMinutes } = encodeTimestamp(String(v), c.scale ?? 9);
      return `${epoch} ${offsetMinutes + 1440}`;
    }
    case 'binary':
      return String(v).toUpperCase();
    default:
      return typeof v === 'string' ? v : String(v);
  }
}

function encodeFixed(v: Exclude<SfValue, null>, scale: number): string {
  if (typeof v === 'bigint') return scale > 0 ? `${v}.${'0'.repeat(scale)}` : v.toString();
  if (typeof v === 'number') return scale > 0 ? v.toFixed(scale) : Number.isInteger(v) ? BigInt(v).toString() : String(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  return v;
}

function encodeReal(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return String(v);
}

function encodeBoolean(v: SfValue): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  const s = String(v).toLowerCase();
  if (s === 'true' || s === '1') return '1';
  if (s === 'false' || s === '0') return '0';
  throw new Error(`not a boolean: ${String(v)}`);
}

const DATE_RE = /^(-?\d{4,})-(\d{2})-(\d{2})/;

function daysSinceEpoch(text: string): number {
  const m = DATE_RE.exec(text.trim());
  if (!m) throw new Error(`not a date: ${text}`);
  return Math.round(utcMillis(Number(m[1]), Number(m[2]), Number(m[3])) / 86_400_000);
}

function utcMillis(year: number, month: number, day: number, h = 0, mi = 0, s = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(h, mi, s, 0);
  return d.getTime();
}

/** `digits` as exactly `scale` fraction digits (truncated or zero-padded). */
function fraction(digits: string | undefined, scale: number): bigint {
  if (scale === 0) return 0n;
  return BigInt((digits ?? '').slice(0, scale).padEnd(scale, '0'));
}

/** seconds * 10^scale + fraction, written as a decimal with `scale` fraction digits. */
function decimal(units: bigint, scale: number): string {
  if (scale === 0) return units.toString();
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const digits = abs.toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

const TIME_RE = /^(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;

function encodeTime(text: string, scale: number): string {
  const m = TIME_RE.exec(text.trim());
  if (!m) throw new Error(`not a time: ${text}`);
  const seconds = BigInt(Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]));
  return decimal(seconds * 10n ** BigInt(scale) + fraction(m[4], scale), scale);
}

const TIMESTAMP_RE = /^(-?\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** 'YYYY-MM-DD HH:MI:SS[.f][ ±HH:MM]' → epoch seconds (with `scale` fraction digits) and the offset in minutes. */
function encodeTimestamp(text: string, scale: number): { epoch: string; offsetMinutes: number } {
  const m = TIMESTAMP_RE.exec(text.trim());
  if (!m) throw new Error(`not a timestamp: ${text}`);
  let offsetMinutes = 0;
  const tz = m[8];
  if (tz && tz.toUpperCase() !== 'Z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    const hhmm = tz.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(2)));
  }
  const wallMillis = utcMillis(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  const seconds = BigInt(wallMillis / 1000 - offsetMinutes * 60);
  return { epoch: decimal(seconds * 10n ** BigInt(scale) + fraction(m[7], scale), scale), offsetMinutes };
}

/** The columns and single row a DML statement answers with when the engine gave none (as the service names them). */
function dmlShape(kind: StatementKind, affected: number): { columns: SfColumn[]; rows: SfValue[][] } | undefined {
  const count = (name: string): SfColumn => ({ name, type: 'fixed', precision: 19, scale: 0, nullable: false });
  switch (kind) {
    case 'insert':
    case 'multi_table_insert':
      return { columns: [count('number of rows inserted')], rows: [[affected]] };
    case 'update':
      return { columns: [count('number of rows updated'), count('number of multi-joined rows updated')], rows: [[affected, 0]] };
    case 'delete':
      return { columns: [count('number of rows deleted')], rows: [[affected]] };
    case 'merge':
      return { columns: [count('number of rows inserted'), count('number of rows updated'), count('number of rows deleted')], rows: [[affected, 0, 0]] };
    default:
      return undefined;
  }
}

function dmlStats(kind: StatementKind, affected: number): Record<string, number> | undefined {
  const stats = { numRowsInserted: 0, numRowsUpdated: 0, numRowsDeleted: 0, numDmlDuplicates: 0 };
  if (kind === 'insert' || kind === 'multi_table_insert' || kind === 'merge' || kind === 'copy') stats.numRowsInserted = affected;
  else if (kind === 'update') stats.numRowsUpdated = affected;
  else if (kind === 'delete') stats.numRowsDeleted = affected;
  else return undefined;
  return stats;
}

/** A chunk beyond the inline rowset: what the result lists, and the gzipped body served at its url. */
export interface EncodedChunk {
  rowCount: number;
  uncompressedSize: number;
  compressedSize: number;
  body: Buffer;
}

export interface EncodedResult {
  rowtype: RowType[];
  rowset: Array<Array<string | null>>;
  chunks: EncodedChunk[];
  total: number;
  statementTypeId: number;
  stats?: Record<string, number>;
}

/** Encodes an engine result; rows beyond `rowsPerChunk` go to chunks of `rowsPerChunk` rows. */
export function encodeResult(result: StatementResult, rowsPerChunk: number): EncodedResult {
  const affected = result.rowsAffected;
  const shape = result.columns.length === 0 && affected !== undefined ? dmlShape(result.kind, affected) : undefined;
  const columns = shape?.columns ?? result.columns;
  const rows = shape?.rows ?? result.rows;
  const encoded = rows.map((row) => columns.map((c, i) => encodeCell(c, row[i] ?? null)));
  const size = Math.max(1, rowsPerChunk);
  const chunks: EncodedChunk[] = [];
  for (let start = size; start < encoded.length; start += size) {
    const text = encoded
      .slice(start, start + size)
      .map((r) => JSON.stringify(r))
      .join(',');
    const raw = Buffer.from(text, 'utf8');
    const body = gzipSync(raw);
    chunks.push({ rowCount: Math.min(size, encoded.length - start), uncompressedSize: raw.length, compressedSize: body.length, body });
  }
  return {
    rowtype: columns.map(rowTypeOf),
    rowset: encoded.slice(0, size),
    chunks,
    total: encoded.length,
    statementTypeId: STATEMENT_TYPE_IDS[result.kind] ?? 0,
    stats: affected === undefined ? undefined : dmlStats(result.kind, affected),
  };
}
