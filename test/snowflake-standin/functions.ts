/**
 * Snowflake functions and type names whose DuckDB spelling differs
 * (test-only stand-in). Each rewrite receives the call's arguments already
 * translated (`a`) and as raw nodes (`raw`, for date parts given as bare words).
 */
import { quoteString } from './sql-lexer.js';
import { Node, isGroup, sigNodes, splitArgs } from './sql-tree.js';

export interface CallContext {
  database?: string;
  schema?: string;
  warehouse?: string;
  role?: string;
  user?: string;
}

type Rewrite = (a: string[], raw: Node[][], ctx: CallContext) => string;

const PARTS: Record<string, string> = {
  Y: 'year', YY: 'year', YYY: 'year', YYYY: 'year', YR: 'year', YEARS: 'year', YRS: 'year', YEAR: 'year',
  MM: 'month', MON: 'month', MONS: 'month', MONTHS: 'month', MONTH: 'month',
  D: 'day', DD: 'day', DAYS: 'day', DAYOFMONTH: 'day', DAY: 'day',
  DOW: 'dow', DAYOFWEEK: 'dow', WEEKDAY: 'dow', DOY: 'doy', DAYOFYEAR: 'doy',
  W: 'week', WK: 'week', WEEKOFYEAR: 'week', WOY: 'week', WY: 'week', WEEK: 'week', WEEKS: 'week',
  Q: 'quarter', QTR: 'quarter', QTRS: 'quarter', QUARTERS: 'quarter', QUARTER: 'quarter',
  H: 'hour', HH: 'hour', HR: 'hour', HOURS: 'hour', HRS: 'hour', HOUR: 'hour',
  M: 'minute', MI: 'minute', MIN: 'minute', MINUTES: 'minute', MINS: 'minute', MINUTE: 'minute',
  S: 'second', SEC: 'second', SECONDS: 'second', SECS: 'second', SECOND: 'second',
  MS: 'millisecond', MSEC: 'millisecond', MILLISECONDS: 'millisecond', MILLISECOND: 'millisecond',
  US: 'microsecond', USEC: 'microsecond', MICROSECONDS: 'microsecond', MICROSECOND: 'microsecond',
  NS: 'nanosecond', NSEC: 'nanosecond', NANOSECONDS: 'nanosecond', NANOSECOND: 'nanosecond',
  EPOCH: 'epoch', EPOCH_SECOND: 'epoch',
};

/** A date part given as a bare word or a string, as DuckDB's part name. */
export function datePart(raw: Node[] | undefined, translated: string): string {
  const sig = raw ? sigNodes(raw) : [];
  const t = sig.length === 1 ? sig[0] : undefined;
  if (t && !isGroup(t) && (t.type === 'word' || t.type === 'string' || t.type === 'ident')) {
    const p = PARTS[t.value.toUpperCase()];
    if (p) return p;
    return t.value.toLowerCase();
  }
  return translated;
}

function intervalOf(part: string, n: string): string {
  switch (part) {
    case 'quarter': return `INTERVAL (3 * (${n})) MONTH`;
    case 'week': return `INTERVAL (7 * (${n})) DAY`;
    case 'nanosecond': return `INTERVAL ((${n}) / 1000) MICROSECOND`;
    default: return `INTERVAL (${n}) ${part.toUpperCase()}`;
  }
}

/** Snowflake's date/time format elements → strftime/strptime. */
export function convertFormat(fmt: string): string {
  const map: Array<[RegExp, string]> = [
    [/^YYYY/i, '%Y'], [/^YY/i, '%y'], [/^MMMM/i, '%B'], [/^MON/i, '%b'], [/^MM/i, '%m'], [/^DD/i, '%d'], [/^DY/i, '%a'],
    [/^HH24/i, '%H'], [/^HH12/i, '%I'], [/^HH/i, '%H'], [/^AM|^PM/i, '%p'], [/^MI/i, '%M'], [/^SS/i, '%S'],
    [/^FF[0-9]?/i, '%f'], [/^TZH:TZM/i, '%z'], [/^"[^"]*"/, ''],
  ];
  let out = '';
  let i = 0;
  outer: while (i < fmt.length) {
    const rest = fmt.slice(i);
    for (const [re, rep] of map) {
      const m = re.exec(rest);
      if (m) {
        out += m[0].startsWith('"') ? m[0].slice(1, -1) : rep;
        i += m[0].length;
        continue outer;
      }
    }
    out += fmt[i] === '%' ? '%%' : fmt[i];
    i++;
  }
  return out;
}

function literalOf(raw: Node[] | undefined): string | undefined {
  const sig = raw ? sigNodes(raw) : [];
  const t = sig.length === 1 ? sig[0] : undefined;
  return t && !isGroup(t) && (t.type === 'string' || t.type === 'dollar') ? t.value : undefined;
}

function ctxLiteral(v: string | undefined): string {
  return v === undefined ? 'CAST(NULL AS VARCHAR)' : quoteString(v);
}

const castTo = (type: string): Rewrite => (a, raw) => {
  const fmt = literalOf(raw[1]);
  if (fmt !== undefined && a.length >= 2) return `CAST(STRPTIME(${a[0]}, ${quoteString(convertFormat(fmt))}) AS ${type})`;
  return `CAST(${a[0]} AS ${type})`;
};
const tryCastTo = (type: string): Rewrite => (a) => `TRY_CAST(${a[0]} AS ${type})`;

function numberType(a: string[], raw: Node[][]): { value: string; type: string } {
  // to_number(expr [, format] [, precision [, scale]])
  let rest = a.slice(1);
  if (literalOf(raw[1]) !== undefined) rest = rest.slice(1);
  const p = rest[0] ?? '38';
  const s = rest[1] ?? '0';
  return { value: a[0], type: `DECIMAL(${p}, ${s})` };
}

export const FUNCTIONS: Record<string, Rewrite> = {
  IFF: (a) => `(CASE WHEN ${a[0]} THEN ${a[1]} ELSE ${a[2]} END)`,
  NVL: (a) => `COALESCE(${a.join(', ')})`,
  IFNULL: (a) => `COALESCE(${a.join(', ')})`,
  NVL2: (a) => `(CASE WHEN ${a[0]} IS NOT NULL THEN ${a[1]} ELSE ${a[2]} END)`,
  ZEROIFNULL: (a) => `COALESCE(${a[0]}, 0)`,
  NULLIFZERO: (a) => `NULLIF(${a[0]}, 0)`,
  DIV0: (a) => `(CASE WHEN (${a[1]}) = 0 THEN 0 ELSE (${a[0]}) / (${a[1]}) END)`,
  DIV0NULL: (a) => `(CASE WHEN (${a[1]}) = 0 OR (${a[1]}) IS NULL THEN 0 ELSE (${a[0]}) / (${a[1]}) END)`,
  EQUAL_NULL: (a) => `((${a[0]}) IS NOT DISTINCT FROM (${a[1]}))`,
  DECODE: (a) => {
    let out = `(CASE`;
    let i = 1;
    for (; i + 1 < a.length; i += 2) out += ` WHEN (${a[0]}) IS NOT DISTINCT FROM (${a[i]}) THEN ${a[i + 1]}`;
    if (i < a.length) out += ` ELSE ${a[i]}`;
    return `${out} END)`;
  },
  DATEDIFF: (a, raw) => `DATE_DIFF(${quoteString(datePart(raw[0], a[0]))}, ${a[1]}, ${a[2]})`,
  TIMESTAMPDIFF: (a, raw) => `DATE_DIFF(${quoteString(datePart(raw[0], a[0]))}, ${a[1]}, ${a[2]})`,
  DATEADD: (a, raw) => `((${a[2]}) + ${intervalOf(datePart(raw[0], a[0]), a[1])})`,
  TIMESTAMPADD: (a, raw) => `((${a[2]}) + ${intervalOf(datePart(raw[0], a[0]), a[1])})`,
  DATE_TRUNC: (a, raw) => `DATE_TRUNC(${quoteString(datePart(raw[0], a[0]))}, ${a[1]})`,
  // LAST_DAY(d [, part]): the last day of d's month (or year, quarter, week)
  LAST_DAY: (a, raw) => {
    const part = a.length > 1 ? datePart(raw[1], a[1]) : 'month';
    return `CAST(DATE_TRUNC(${quoteString(part)}, ${a[0]}) + ${intervalOf(part, '1')} - INTERVAL 1 DAY AS DATE)`;
  },
  DATE_PART: (a, raw) => `DATE_PART(${quoteString(datePart(raw[0], a[0]))}, ${a[1]})`,
  TO_DATE: castTo('DATE'),
  DATE: castTo('DATE'),
  TO_TIMESTAMP: castTo('TIMESTAMP'),
  TO_TIMESTAMP_NTZ: castTo('TIMESTAMP'),
  TO_TIMESTAMP_LTZ: castTo('TIMESTAMPTZ'),
  TO_TIMESTAMP_TZ: castTo('TIMESTAMPTZ'),
  TRY_TO_DATE: tryCastTo('DATE'),
  TRY_TO_TIMESTAMP: tryCastTo('TIMESTAMP'),
  TRY_TO_TIMESTAMP_NTZ: tryCastTo('TIMESTAMP'),
  TO_DOUBLE: (a) => `CAST(${a[0]} AS DOUBLE)`,
  TRY_TO_DOUBLE: tryCastTo('DOUBLE'),
  TO_BOOLEAN: (a) => `CAST(${a[0]} AS BOOLEAN)`,
  TRY_TO_BOOLEAN: tryCastTo('BOOLEAN'),
  TO_VARCHAR: (a, raw) => {
    const fmt = literalOf(raw[1]);
    return fmt !== undefined ? `STRFTIME(${a[0]}, ${quoteString(convertFormat(fmt))})` : `CAST(${a[0]} AS VARCHAR)`;
  },
  TO_NUMBER: (a, raw) => {
    const { value, type } = numberType(a, raw);
    return `CAST(${value} AS ${type})`;
  },
  TRY_TO_NUMBER: (a, raw) => {
    const { value, type } = numberType(a, raw);
    return `TRY_CAST(${value} AS ${type})`;
  },
  ARRAY_CONTAINS: (a) => `LIST_CONTAINS(${a[1]}, ${a[0]})`,
  ARRAY_SIZE: (a) => `LEN(${a[0]})`,
  ARRAY_CONSTRUCT: (a) => `[${a.join(', ')}]`,
  // parameters c, i, m and s mean the same to RE2 ('s': '.' matches a line break too)
  REGEXP_LIKE: (a) => `REGEXP_FULL_MATCH(${a.slice(0, 3).join(', ')})`,
  // FROM TABLE(GENERATOR(ROWCOUNT => n)): n rows; SEQ4()/SEQ8() number them from 0
  TABLE: (a) => a[0],
  GENERATOR: (a) => {
    const m = /ROWCOUNT\s*=>\s*(\d+)/i.exec(a.join(' '));
    if (!m) throw new Error('the stand-in takes GENERATOR(ROWCOUNT => n) only');
    return `range(${m[1]})`;
  },
  SEQ4: () => '(ROW_NUMBER() OVER () - 1)',
  SEQ8: () => '(ROW_NUMBER() OVER () - 1)',
  RLIKE: (a) => `REGEXP_FULL_MATCH(${a[0]}, ${a[1]})`,
  REGEXP_REPLACE: (a) => `REGEXP_REPLACE(${a[0]}, ${a[1]}, ${a[2] ?? "''"}, 'g')`,
  REGEXP_SUBSTR: (a) => `NULLIF(REGEXP_EXTRACT(${a[0]}, ${a[1]}), '')`,
  REGEXP_COUNT: (a) => `LEN(REGEXP_EXTRACT_ALL(${a[0]}, ${a[1]}))`,
  CHARINDEX: (a) => `INSTR(${a[1]}, ${a[0]})`,
  STARTSWITH: (a) => `STARTS_WITH(${a[0]}, ${a[1]})`,
  ENDSWITH: (a) => `ENDS_WITH(${a[0]}, ${a[1]})`,
  BOOLOR_AGG: (a) => `BOOL_OR(${a[0]})`,
  BOOLAND_AGG: (a) => `BOOL_AND(${a[0]})`,
  CURRENT_TIMESTAMP: () => 'CURRENT_TIMESTAMP',
  LOCALTIMESTAMP: () => 'CURRENT_TIMESTAMP',
  GETDATE: () => 'CURRENT_TIMESTAMP',
  SYSDATE: () => `CAST(TIMEZONE('UTC', CURRENT_TIMESTAMP) AS TIMESTAMP)`,
  CURRENT_DATE: () => 'CURRENT_DATE',
  CURRENT_TIME: () => 'CAST(CURRENT_TIMESTAMP AS TIME)',
  CONVERT_TIMEZONE: (a) =>
    a.length >= 3
      ? `TIMEZONE(${a[1]}, TIMEZONE(${a[0]}, CAST(${a[2]} AS TIMESTAMP)))`
      : `TIMEZONE(${a[0]}, CAST(${a[1]} AS TIMESTAMPTZ))`,
  CURRENT_DATABASE: (_a, _r, c) => ctxLiteral(c.database),
  CURRENT_SCHEMA: (_a, _r, c) => ctxLiteral(c.schema),
  CURRENT_WAREHOUSE: (_a, _r, c) => ctxLiteral(c.warehouse),
  CURRENT_ROLE: (_a, _r, c) => ctxLiteral(c.role),
  CURRENT_USER: (_a, _r, c) => ctxLiteral(c.user),
  CURRENT_ACCOUNT: () => `'STANDIN'`,
  CURRENT_REGION: () => `'LOCAL'`,
  CURRENT_VERSION: () => `'0.0.0-standin'`,
  OBJECT_CONSTRUCT: (a) => `JSON_OBJECT(${a.join(', ')})`,
  PARSE_JSON: (a) => `CAST(${a[0]} AS JSON)`,
  TRY_PARSE_JSON: (a) => `TRY_CAST(${a[0]} AS JSON)`,
  TO_VARIANT: (a) => `TO_JSON(${a[0]})`,
  GET: (a) => `(${a[0]} -> ${a[1]})`,
  GET_IGNORE_CASE: (a) => `(${a[0]} -> ${a[1]})`,
  UUID_STRING: () => 'CAST(UUID() AS VARCHAR)',
};
FUNCTIONS.TO_CHAR = FUNCTIONS.TO_VARCHAR;
FUNCTIONS.TO_DECIMAL = FUNCTIONS.TO_NUMBER;
FUNCTIONS.TO_NUMERIC = FUNCTIONS.TO_NUMBER;
FUNCTIONS.TRY_TO_DECIMAL = FUNCTIONS.TRY_TO_NUMBER;
FUNCTIONS.TRY_TO_NUMERIC = FUNCTIONS.TRY_TO_NUMBER;

/** Snowflake type names (unquoted words) → DuckDB types; `args` are a following (p, s) group. */
export function mapType(word: string, args: string[] | undefined): string | undefined {
  switch (word) {
    case 'NUMBER':
    case 'NUMERIC':
    case 'DECIMAL':
    case 'DEC':
      if (!args || args.length === 0) return 'DECIMAL(38, 0)';
      return `DECIMAL(${args[0]}, ${args[1] ?? '0'})`;
    case 'INT':
    case 'INTEGER':
    case 'BIGINT':
    case 'SMALLINT':
    case 'TINYINT':
    case 'BYTEINT':
      return 'BIGINT';
    case 'FLOAT':
    case 'FLOAT4':
    case 'FLOAT8':
    case 'DOUBLE':
    case 'REAL':
      return 'DOUBLE';
    case 'VARCHAR':
    case 'STRING':
    case 'TEXT':
    case 'CHAR':
    case 'CHARACTER':
    case 'NCHAR':
    case 'NVARCHAR':
    case 'NVARCHAR2':
    case 'CHAR_VARYING':
      return 'VARCHAR';
    case 'TIMESTAMP_NTZ':
    case 'DATETIME':
      return args?.length ? `TIMESTAMP` : 'TIMESTAMP';
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMP_TZ':
      return 'TIMESTAMPTZ';
    case 'VARIANT':
    case 'OBJECT':
    case 'ARRAY':
      return 'JSON';
    case 'BINARY':
    case 'VARBINARY':
      return 'BLOB';
    default:
      return undefined;
  }
}

/** Does a group right after this type word belong to the type (precision/length)? */
export function typeTakesArgs(word: string, g: Node | undefined): boolean {
  if (!isGroup(g)) return false;
  const args = splitArgs(g);
  return args.length > 0 && args.length <= 2 && args.every((a) => sigNodes(a).length === 1 && sigNodes(a)[0].type === 'number') && word !== 'ARRAY';
}
