/**
 * DuckDB result columns and values → Snowflake's (SfColumn / SfValue) for the
 * stand-in (test only).
 */
import { DuckDBDecimalType, DuckDBResultReader, DuckDBType, DuckDBTypeId } from '@duckdb/node-api';
import type { SfColumn, SfValue } from './engine-types.js';

const INTEGER_IDS = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.BIGINT, DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT, DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER, DuckDBTypeId.UBIGINT, DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.INTEGER_LITERAL,
]);

export function sfColumn(name: string, t: DuckDBType): SfColumn {
  const base = { name, nullable: true };
  const alias = (t as { alias?: string }).alias;
  if (alias === 'JSON') return { ...base, type: 'variant' };
  const id = t.typeId;
  if (INTEGER_IDS.has(id)) return { ...base, type: 'fixed', precision: 38, scale: 0 };
  switch (id) {
    case DuckDBTypeId.DECIMAL: {
      const d = t as DuckDBDecimalType;
      return { ...base, type: 'fixed', precision: d.width, scale: d.scale };
    }
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return { ...base, type: 'real' };
    case DuckDBTypeId.BOOLEAN:
      return { ...base, type: 'boolean' };
    case DuckDBTypeId.DATE:
      return { ...base, type: 'date' };
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_TZ:
    case DuckDBTypeId.TIME_NS:
      return { ...base, type: 'time', scale: 9 };
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return { ...base, type: 'timestamp_ntz', scale: 9 };
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { ...base, type: 'timestamp_ltz', scale: 9 };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return { ...base, type: 'array' };
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
      return { ...base, type: 'object' };
    case DuckDBTypeId.BLOB:
      return { ...base, type: 'binary', length: 8388608 };
    default:
      return { ...base, type: 'text', length: 16777216 };
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

/** Converts one reader's rows; JSON-ish columns use DuckDB's JSON rendering. */
export function sfRows(reader: DuckDBResultReader, columns: SfColumn[]): SfValue[][] {
  const json = reader.getRowsJson();
  const raw = columns.some((c) => c.type === 'binary') ? reader.getRows() : undefined;
  return json.map((row, r) =>
    row.map((v, c): SfValue => {
      if (v === null || v === undefined) return null;
      const col = columns[c];
      switch (col.type) {
        case 'fixed':
          return typeof v === 'number' ? v : String(v);
        case 'real':
          return typeof v === 'number' ? v : Number(v);
        case 'boolean':
          return Boolean(v);
        case 'timestamp_ntz':
        case 'timestamp_ltz':
        case 'timestamp_tz':
          return String(v).replace(/([+-]00(:?00)?)$/, '');
        case 'variant':
        case 'object':
        case 'array':
          return typeof v === 'string' && col.type === 'variant' ? v : JSON.stringify(v);
        case 'binary': {
          const b = raw?.[r][c] as { bytes?: Uint8Array } | null;
          return b?.bytes ? hex(b.bytes) : String(v);
        }
        default:
          return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
      }
    }),
  );
}

export function readResult(reader: DuckDBResultReader): { columns: SfColumn[]; rows: SfValue[][] } {
  const names = reader.columnNames();
  const types = reader.columnTypes();
  const columns = names.map((n, i) => sfColumn(n, types[i]));
  return { columns, rows: sfRows(reader, columns) };
}

/** A column of a result the engine builds itself. */
export function col(name: string, type: SfColumn['type'] = 'text'): SfColumn {
  if (type === 'fixed') return { name, type, precision: 38, scale: 0, nullable: true };
  if (type === 'text') return { name, type, length: 16777216, nullable: true };
  return { name, type, nullable: true };
}
