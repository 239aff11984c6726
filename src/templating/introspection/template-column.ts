import { allowTemplateClass } from '../jinja/sandbox.js';

const STRING_TYPES = new Set(['text', 'character varying', 'character', 'varchar', 'char', 'string', 'bpchar', 'nvarchar', 'nchar']);
const INTEGER_TYPES = new Set(['signed', 'unsigned', 'integer', 'int', 'bigint', 'smallint', 'tinyint', 'hugeint', 'ubigint', 'uinteger', 'usmallint', 'utinyint', 'int2', 'int4', 'int8', 'byteint']);
const FLOAT_TYPES = new Set(['real', 'float4', 'float', 'double precision', 'float8', 'double']);
const NUMERIC_TYPES = new Set(['numeric', 'decimal', 'number']);

/**
 * A column as dbt's `api.Column` and `adapter.get_columns_in_relation` give it:
 * `name`, `column`, `quoted`, `dtype` (the base type, lower case), `data_type`
 * (the type with its size or precision), `char_size`, `numeric_precision`,
 * `numeric_scale`, and `is_string()`, `is_number()`, `is_numeric()`,
 * `is_integer()`, `is_float()`, `string_size()`.
 */
export class TemplateColumn {
  readonly name: string;
  readonly column: string;
  readonly dtype: string;
  readonly char_size: number | null;
  readonly numeric_precision: number | null;
  readonly numeric_scale: number | null;
  private readonly quote: (name: string) => string;

  constructor(name: string, dataType: string, quote: (name: string) => string, sizes: { charSize?: unknown; precision?: unknown; scale?: unknown } = {}) {
    this.name = name;
    this.column = name;
    this.quote = quote;
    const m = /^\s*([^(]*?)\s*(?:\(\s*([^)]*)\))?\s*$/.exec(dataType) ?? [];
    const base = (m[1] ?? dataType).trim();
    const args = (m[2] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
    this.dtype = base.toLowerCase();
    const str = STRING_TYPES.has(this.dtype);
    const num = NUMERIC_TYPES.has(this.dtype);
    this.char_size = toNumber(sizes.charSize) ?? (str && Number.isFinite(args[0]) ? args[0] : null);
    this.numeric_precision = toNumber(sizes.precision) ?? (num && Number.isFinite(args[0]) ? args[0] : null);
    this.numeric_scale = toNumber(sizes.scale) ?? (num && Number.isFinite(args[1]) ? args[1] : null);
  }

  get quoted(): string {
    return this.quote(this.name);
  }

  /** The type with its size (`character varying(256)`) or precision (`numeric(10,2)`), else `dtype`. */
  get data_type(): string {
    if (this.is_string() && this.char_size !== null) return `${this.dtype}(${this.char_size})`;
    if (this.is_numeric() && this.numeric_precision !== null) return `${this.dtype}(${this.numeric_precision}${this.numeric_scale !== null ? `,${this.numeric_scale}` : ''})`;
    return this.dtype;
  }

  is_string(): boolean {
    return STRING_TYPES.has(this.dtype);
  }

  is_integer(): boolean {
    return INTEGER_TYPES.has(this.dtype) || (this.dtype === 'number' && this.numeric_scale === 0);
  }

  is_float(): boolean {
    return FLOAT_TYPES.has(this.dtype);
  }

  is_numeric(): boolean {
    return NUMERIC_TYPES.has(this.dtype);
  }

  is_number(): boolean {
    return this.is_integer() || this.is_float() || this.is_numeric();
  }

  /** The declared length of a string column; an error for other types, as in dbt. */
  string_size(): number {
    if (!this.is_string()) throw new Error(`string_size() called on non-string column ${this.name} (${this.dtype})`);
    return this.char_size ?? 256;
  }

  toString(): string {
    return `<Column ${this.name} (${this.data_type})>`;
  }
}

/**
 * dbt's generic type labels and what they become (Column.TYPE_LABELS). dbt-postgres,
 * dbt-redshift, dbt-snowflake and dbt-duckdb all keep dbt's base table, in which only
 * STRING is translated: every other name is the engine's already and stays as written.
 */
const TYPE_LABELS: Record<string, string> = { STRING: 'TEXT' };

/** `api.Column.translate_type(dtype)`: a generic label in the engine's spelling, any other type unchanged. */
export function translateType(dtype: unknown): string {
  const t = String(dtype ?? '');
  return TYPE_LABELS[t.toUpperCase()] ?? t;
}

/** `api.Column.string_type(size)`: a string type of that length. */
export function stringType(size: unknown): string {
  return `character varying(${String(size)})`;
}

/** `api.Column.numeric_type(dtype, precision, scale)`: `dtype(precision,scale)`, or `dtype` when either is None. */
export function numericType(dtype: unknown, precision: unknown, scale: unknown): string {
  const none = (v: unknown) => v === undefined || v === null;
  return none(precision) || none(scale) ? String(dtype) : `${String(dtype)}(${String(precision)},${String(scale)})`;
}

function toNumber(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

allowTemplateClass(TemplateColumn);
