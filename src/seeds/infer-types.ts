/**
 * Column type inference for seeds, and conversion of the CSV strings into values
 * for binding.
 *
 * A column gets the narrowest type that every non-null value parses as, tried in
 * this order: boolean, integer, bigint, decimal, double, date, timestamp, varchar.
 * The rules are deliberately strict so the result is predictable:
 * - boolean is only true/false (any case), never 0/1 or yes/no;
 * - numbers may not have superfluous leading zeros ('007', '01.5' are text), so
 *   zip codes and ids keep their zeros;
 * - plain decimals (12.50) stay exact as DECIMAL(p,s) while they fit 38 digits;
 * - a date is YYYY-MM-DD and must exist in the calendar (2024-02-30 is text).
 * Values are trimmed for these tests; varchar values are kept exactly as written.
 *
 * A big seed is typed from its first part (see materializations/seed.ts) and the
 * rest is checked row by row while it loads (SeedRowChecker).
 */
import { UserError } from '../errors.js';
import type { CsvTable } from './csv.js';

export type SeedColumnType =
  | 'boolean'
  | 'integer'
  | 'bigint'
  | 'double'
  | 'decimal'
  | 'date'
  | 'timestamp'
  | 'varchar';

export interface InferredColumn {
  name: string;
  type: SeedColumnType;
  /** for decimal: precision/scale that fit all values */
  precision?: number;
  scale?: number;
}

/** Largest DECIMAL precision the warehouse supports. */
export const MAX_DECIMAL_PRECISION = 38;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// ---------------------------------------------------------------------------
// Value scanners (shared by inference and conversion)
// ---------------------------------------------------------------------------

interface ScannedNumber {
  kind: 'integer' | 'decimal' | 'scientific';
  negative: boolean;
  /** Integer-part digits as written ('' for '.5'). */
  intPart: string;
  /** Fraction digits as written ('' when there is none). */
  frac: string;
  /** The integer part has a superfluous leading zero ('007', '01.5'). */
  leadingZero: boolean;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Recognises [+-]digits[.digits][e[+-]digits]; null when `s` is not a number. */
function scanNumber(s: string): ScannedNumber | null {
  const n = s.length;
  let i = 0;
  let negative = false;
  if (n === 0) return null;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 /* + */ || c0 === 45 /* - */) {
    negative = c0 === 45;
    i++;
  }
  const intStart = i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  const intPart = s.slice(intStart, i);
  let frac = '';
  let hasDot = false;
  if (i < n && s.charCodeAt(i) === 46 /* . */) {
    hasDot = true;
    i++;
    const fracStart = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    frac = s.slice(fracStart, i);
  }
  if (intPart === '' && frac === '') return null;
  let kind: ScannedNumber['kind'] = hasDot ? 'decimal' : 'integer';
  if (i < n && (s.charCodeAt(i) === 101 /* e */ || s.charCodeAt(i) === 69) /* E */) {
    i++;
    if (i < n && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) i++;
    const expStart = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === expStart) return null;
    kind = 'scientific';
  }
  if (i !== n) return null;
  const leadingZero = intPart.length > 1 && intPart.charCodeAt(0) === 48;
  return { kind, negative, intPart, frac, leadingZero };
}

function stripLeadingZeros(digits: string): string {
  let k = 0;
  while (k < digits.length - 1 && digits.charCodeAt(k) === 48) k++;
  return digits.slice(k);
}

/** Number of significant integer digits ('0' and '' count as 0). */
function intDigitCount(intPart: string): number {
  const d = stripLeadingZeros(intPart);
  return d === '' || d === '0' ? 0 : d.length;
}

function fitsInt32(num: ScannedNumber): boolean {
  const d = stripLeadingZeros(num.intPart);
  if (d.length > 10) return false;
  const v = num.negative ? -Number(d) : Number(d);
  return v >= INT32_MIN && v <= INT32_MAX;
}

function toBigInt(num: ScannedNumber): bigint {
  const v = BigInt(stripLeadingZeros(num.intPart));
  return num.negative ? -v : v;
}

function fitsInt64(num: ScannedNumber): boolean {
  const d = stripLeadingZeros(num.intPart);
  if (d.length > 19) return false;
  const v = toBigInt(num);
  return v >= INT64_MIN && v <= INT64_MAX;
}

/** Exact decimal text: no '+', no leading zeros, '0' before a bare fraction, no trailing dot. */
function normaliseDecimal(num: ScannedNumber): string {
  const intPart = num.intPart === '' ? '0' : stripLeadingZeros(num.intPart);
  return (num.negative ? '-' : '') + intPart + (num.frac === '' ? '' : '.' + num.frac);
}

function parseBoolean(v: string): boolean | null {
  if (v.length === 4 && v.toLowerCase() === 'true') return true;
  if (v.length === 5 && v.toLowerCase() === 'false') return false;
  return null;
}

interface Temporal {
  kind: 'date' | 'timestamp';
  /** 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS[.ffffff]', already in UTC when an offset was given. */
  text: string;
}

const TEMPORAL_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function pad(v: number, width: number): string {
  return String(v).padStart(width, '0');
}

/** Parses a date or timestamp; null when `v` is neither (or not a real calendar instant). */
function parseTemporal(v: string): Temporal | null {
  // Cheap pre-check before the regex: must start with 4 digits and a dash.
  if (v.length < 10 || v.charCodeAt(4) !== 45 || !isDigit(v.charCodeAt(0))) return null;
  const m = TEMPORAL_RE.exec(v);
  if (!m) return null;
  let year = Number(m[1]);
  let month = Number(m[2]);
  let day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (m[4] === undefined) {
    return { kind: 'date', text: `${m[1]}-${m[2]}-${m[3]}` };
  }
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (hour > 23 || minute > 59 || second > 59) return null;
  // Fraction: microseconds, padded/truncated to 6 digits.
  const fraction = m[7] === undefined ? '' : '.' + (m[7] + '00000').slice(0, 6);

  let minutesOfDay = hour * 60 + minute;
  if (m[9] !== undefined) {
    const offH = Number(m[10]);
    const offM = m[11] === undefined ? 0 : Number(m[11]);
    if (offH > 23 || offM > 59) return null;
    const offset = (offH * 60 + offM) * (m[9] === '-' ? -1 : 1);
    // Local time = UTC + offset, so UTC = local - offset; shifts at most one day.
    minutesOfDay -= offset;
    if (minutesOfDay < 0) {
      minutesOfDay += 1440;
      day--;
      if (day < 1) {
        month--;
        if (month < 1) {
          month = 12;
          year--;
        }
        day = daysInMonth(year, month);
      }
    } else if (minutesOfDay >= 1440) {
      minutesOfDay -= 1440;
      day++;
      if (day > daysInMonth(year, month)) {
        day = 1;
        month++;
        if (month > 12) {
          month = 1;
          year++;
        }
      }
    }
    if (year < 0 || year > 9999) return null;
  }
  const hh = Math.floor(minutesOfDay / 60);
  const mi = minutesOfDay % 60;
  return {
    kind: 'timestamp',
    text: `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)} ${pad(hh, 2)}:${pad(mi, 2)}:${pad(second, 2)}${fraction}`,
  };
}

// ---------------------------------------------------------------------------
// Inference
// ---------------------------------------------------------------------------

/**
 * The column types of `table`'s rows. `sampled`: the rows are only the start of
 * the file, so the types must also hold what follows: an integer column becomes
 * bigint and a decimal gets precision 38 (its scale stays), since later rows
 * may hold larger numbers. Every later value is still checked (SeedRowChecker).
 */
export function inferColumnTypes(table: Pick<CsvTable, 'header' | 'rows'>, opts: { sampled?: boolean } = {}): InferredColumn[] {
  return table.header.map((name, col) => {
    const c = inferColumn(name, table.rows, col);
    if (!opts.sampled) return c;
    if (c.type === 'integer') return { name, type: 'bigint' };
    if (c.type === 'decimal') return { ...c, precision: MAX_DECIMAL_PRECISION };
    return c;
  });
}

function inferColumn(name: string, rows: (string | null)[][], col: number): InferredColumn {
  let canBool = true;
  let canInt = true;
  let canBigint = true;
  let canDecimal = true;
  let canDouble = true;
  let canDate = true;
  let canTimestamp = true;
  let sawValue = false;
  let maxIntDigits = 0;
  let maxScale = 0;

  for (let r = 0; r < rows.length; r++) {
    const raw = rows[r][col];
    if (raw === null || raw === undefined) continue;
    sawValue = true;
    const v = trimmed(raw);

    if (canBool && parseBoolean(v) === null) canBool = false;

    if ((canInt || canBigint || canDecimal || canDouble) && isPlainInteger(v, 9)) {
      // the common case, without building a ScannedNumber: fits every numeric type
      const digits = v.charCodeAt(0) === 45 ? v.length - 1 : v.length;
      if (digits > 1 || v.charCodeAt(v.length - 1) !== 48) maxIntDigits = Math.max(maxIntDigits, digits);
    } else if (canInt || canBigint || canDecimal || canDouble) {
      const num = scanNumber(v);
      if (num === null || num.leadingZero) {
        canInt = canBigint = canDecimal = canDouble = false;
      } else {
        if (num.kind !== 'integer') {
          canInt = canBigint = false;
        } else {
          if (canInt && !fitsInt32(num)) canInt = false;
          if (canBigint && !fitsInt64(num)) canBigint = false;
        }
        if (num.kind === 'scientific') {
          canDecimal = false;
        } else if (canDecimal) {
          maxIntDigits = Math.max(maxIntDigits, intDigitCount(num.intPart));
          maxScale = Math.max(maxScale, num.frac.length);
        }
        if (canDouble && !Number.isFinite(Number(v))) canDouble = false;
      }
    }

    if (canDate && isCanonicalTemporal(v, false)) {
      // a date: fits date and timestamp
    } else if (canTimestamp && isCanonicalTemporal(v, true)) {
      canDate = false;
    } else if (canDate || canTimestamp) {
      const t = parseTemporal(v);
      if (t === null) canDate = canTimestamp = false;
      else if (t.kind !== 'date') canDate = false;
    }

    if (!(canBool || canInt || canBigint || canDecimal || canDouble || canDate || canTimestamp)) {
      return { name, type: 'varchar' };
    }
  }

  if (!sawValue) return { name, type: 'varchar' };
  if (canBool) return { name, type: 'boolean' };
  if (canInt) return { name, type: 'integer' };
  if (canBigint) return { name, type: 'bigint' };
  if (canDecimal) {
    const precision = Math.max(1, maxIntDigits + maxScale);
    if (precision <= MAX_DECIMAL_PRECISION) return { name, type: 'decimal', precision, scale: maxScale };
  }
  if (canDouble) return { name, type: 'double' };
  if (canDate) return { name, type: 'date' };
  if (canTimestamp) return { name, type: 'timestamp' };
  return { name, type: 'varchar' };
}

// ---------------------------------------------------------------------------
// Conversion
// ---------------------------------------------------------------------------

/**
 * A value as the text sent to the warehouse, which casts it to the column's
 * type; null when it does not fit. Values already written that way (the common
 * case) come back as they are, without copying.
 */
type Converter = (raw: string) => string | null;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Without surrounding whitespace (the same string when there is none). */
function trimmed(raw: string): string {
  return raw.length && (isSpace(raw.charCodeAt(0)) || isSpace(raw.charCodeAt(raw.length - 1))) ? raw.trim() : raw;
}

/** `-?[1-9][0-9]*` or `0` of at most `maxDigits` digits: an integer already in canonical form. */
function isPlainInteger(v: string, maxDigits: number): boolean {
  const n = v.length;
  const start = n > 0 && v.charCodeAt(0) === 45 ? 1 : 0;
  const digits = n - start;
  if (digits < 1 || digits > maxDigits) return false;
  if (digits > 1 && v.charCodeAt(start) === 48) return false;
  if (start === 1 && digits === 1 && v.charCodeAt(1) === 48) return false; // -0
  for (let i = start; i < n; i++) if (!isDigit(v.charCodeAt(i))) return false;
  return true;
}

/** Canonical integer text: no '+', no leading zeros, '0' for -0. */
function integerText(num: ScannedNumber): string {
  const d = stripLeadingZeros(num.intPart);
  return num.negative && d !== '0' ? '-' + d : d;
}

function integerConverter(maxPlainDigits: number, fits: (num: ScannedNumber) => boolean): Converter {
  return (raw) => {
    const v = trimmed(raw);
    // up to 9 (int32) or 18 (int64) digits always fit: no arithmetic needed
    if (isPlainInteger(v, maxPlainDigits)) return v;
    const num = scanNumber(v);
    if (num === null || num.kind !== 'integer' || !fits(num)) return null;
    return integerText(num);
  };
}

/** YYYY-MM-DD (and ' HH:MM:SS' when `withTime`) with every digit in place. */
function hasTemporalShape(v: string, withTime: boolean): boolean {
  const n = withTime ? 19 : 10;
  if (v.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (i === 4 || i === 7) {
      if (c !== 45) return false;
    } else if (i === 10) {
      if (c !== 32) return false;
    } else if (i === 13 || i === 16) {
      if (c !== 58) return false;
    } else if (!isDigit(c)) return false;
  }
  return true;
}

function digitsAt(v: string, start: number, count: number): number {
  let x = 0;
  for (let i = start; i < start + count; i++) x = x * 10 + (v.charCodeAt(i) - 48);
  return x;
}

/** A date or timestamp already in canonical form that names a real calendar instant. */
function isCanonicalTemporal(v: string, withTime: boolean): boolean {
  if (!hasTemporalShape(v, withTime)) return false;
  const year = digitsAt(v, 0, 4);
  const month = digitsAt(v, 5, 2);
  const day = digitsAt(v, 8, 2);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  return !withTime || (digitsAt(v, 11, 2) <= 23 && digitsAt(v, 14, 2) <= 59 && digitsAt(v, 17, 2) <= 59);
}

/**
 * Converters are a little more lenient than inference (leading zeros are accepted
 * for numbers, a date is accepted as a timestamp at midnight) because the caller
 * may have overridden the inferred type.
 */
function converterFor(c: InferredColumn): Converter {
  switch (c.type) {
    case 'varchar':
      return (raw) => raw;
    case 'boolean':
      return (raw) => {
        const b = parseBoolean(trimmed(raw));
        return b === null ? null : b ? 'true' : 'false';
      };
    case 'integer':
      return integerConverter(9, fitsInt32);
    case 'bigint':
      return integerConverter(18, fitsInt64);
    case 'double':
      return (raw) => {
        const v = trimmed(raw);
        return scanNumber(v) !== null && Number.isFinite(Number(v)) ? v : null;
      };
    case 'decimal': {
      const scale = c.scale ?? 0;
      const intDigits = (c.precision ?? MAX_DECIMAL_PRECISION) - scale;
      return (raw) => {
        const num = scanNumber(trimmed(raw));
        if (num === null || num.kind === 'scientific') return null;
        // a value the column cannot hold exactly is refused, never rounded by the engine
        if (intDigitCount(num.intPart) > intDigits || num.frac.length > scale) return null;
        return normaliseDecimal(num);
      };
    }
    case 'date':
      return (raw) => {
        const v = trimmed(raw);
        if (isCanonicalTemporal(v, false)) return v;
        const t = parseTemporal(v);
        return t !== null && t.kind === 'date' ? t.text : null;
      };
    case 'timestamp':
      return (raw) => {
        const v = trimmed(raw);
        if (isCanonicalTemporal(v, true)) return v;
        const t = parseTemporal(v);
        if (t === null) return null;
        return t.kind === 'date' ? `${t.text} 00:00:00` : t.text;
      };
    default:
      throw new Error(`unknown seed column type ${JSON.stringify(c.type)}`);
  }
}

/** A seed's row as sent to the warehouse: each value as text (see Converter), null stays null. */
export type SeedRow = (string | null)[];

/**
 * Checks and converts the rows of one seed file: every value must fit its
 * column's type, else a user error names the file, the line and the column.
 * `sampled` columns had their type inferred from the start of the file (the
 * error says so: a later row did not fit it).
 */
export class SeedRowChecker {
  private readonly convs: Converter[];

  constructor(
    private readonly file: string | undefined,
    private readonly types: InferredColumn[],
    private readonly sampleNote?: string,
  ) {
    this.convs = types.map(converterFor);
  }

  row(fields: (string | null)[], line: number | undefined): SeedRow {
    const width = this.convs.length;
    if (fields.length !== width) throw new Error(`seed row has ${fields.length} values for ${width} columns`);
    const out: SeedRow = new Array(width);
    for (let c = 0; c < width; c++) {
      const raw = fields[c];
      if (raw === null || raw === undefined) {
        out[c] = null;
        continue;
      }
      const v = this.convs[c](raw);
      if (v === null) throw this.misfit(raw, c, line);
      out[c] = v;
    }
    return out;
  }

  private misfit(raw: string, c: number, line: number | undefined): UserError {
    const t = this.types[c];
    const shown = raw.length > 60 ? raw.slice(0, 60) + '…' : raw;
    const hint = this.sampleNote
      ? `${this.sampleNote}; set column_types for "${t.name}" (e.g. varchar), or change the value`
      : `change the value or set column_types for "${t.name}"`;
    return new UserError(`cannot convert value ${JSON.stringify(shown)} in column "${t.name}" to ${describeType(t)}`, { file: this.file, line }, { hint });
  }
}

/** Converts a table's rows (see SeedRowChecker), with `types` as given (overridden columns as varchar). */
export function convertRows(table: CsvTable, types: InferredColumn[]): SeedRow[] {
  if (types.length !== table.header.length) {
    throw new Error(`convertRows: ${types.length} column types given for ${table.header.length} columns`);
  }
  const checker = new SeedRowChecker(table.file, types);
  return table.rows.map((row, r) => checker.row(row, table.rowLines[r]));
}

export function describeType(t: InferredColumn): string {
  if (t.type === 'decimal' && t.precision !== undefined) return `decimal(${t.precision},${t.scale ?? 0})`;
  return t.type;
}
