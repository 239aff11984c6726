/**
 * Test-only translation of Redshift SQL into what the stand-in runs on
 * PostgreSQL. Pure: `translateStatement` looks at one statement's text and
 * returns either rewritten SQL for PostgreSQL, a description of a Redshift
 * statement the stand-in performs itself (UNLOAD, COPY from S3, Spectrum DDL,
 * partitions), a no-op (physical-design statements with nothing to do), or the
 * error Redshift would give.
 *
 * What it rewrites in every statement (text inside literals, quoted
 * identifiers and comments is never touched, except that quoted identifiers are
 * folded to lower case like Redshift does by default):
 *  - physical design in CREATE TABLE / CTAS / CREATE MATERIALIZED VIEW: BACKUP,
 *    DISTSTYLE, DISTKEY, [COMPOUND|INTERLEAVED] SORTKEY, ENCODE, column-level
 *    ENCODE/DISTKEY/SORTKEY, IDENTITY(seed, step), and the informational
 *    (unenforced in Redshift) PRIMARY KEY / UNIQUE / FOREIGN KEY constraints;
 *  - WITH NO SCHEMA BINDING on CREATE VIEW;
 *  - varchar(max) → varchar(65535); SYSDATE → localtimestamp;
 *    dateadd/datediff/date_part(day, …) → their first argument quoted;
 *    LISTAGG(x, d) WITHIN GROUP (ORDER BY …) → string_agg; APPROXIMATE COUNT;
 *    #temp table names; "db"."schema"."table" → "schema"."table" for the
 *    connected database.
 * Redshift functions (getdate, nvl, nvl2, dateadd, datediff, convert_timezone,
 * len, charindex, trunc(timestamp), add_months, months_between,
 * json_extract_path_text(varchar, …)) are SQL functions the stand-in creates
 * (catalog.ts), not rewrites.
 */
import { Cursor, type QualifiedName, type Token, identName, isTrivia, kw, quoteIdent, quoteString, quoteStringE, splitStatements, tokenize, unquoteString } from './sql-lexer.js';

import { translatePrincipals } from './principals.js';

export type { QualifiedName } from './sql-lexer.js';
export { splitStatements } from './sql-lexer.js';

export interface TranslateOptions {
  /** Fold quoted identifiers to lower case, as Redshift does unless enable_case_sensitive_identifier is on (default true). */
  foldQuotedIdentifiers?: boolean;
  /** The database the client believes it is connected to: three-part names that start with it lose that part. */
  database?: string;
}

export interface ColumnDef {
  name: string;
  /** the type as written (PostgreSQL-compatible after rewriting) */
  type: string;
}

export interface UnloadSpec {
  kind: 'unload';
  /** the SELECT, already translated */
  query: string;
  /** s3://bucket/prefix */
  target: string;
  format: 'text' | 'csv' | 'parquet' | 'json';
  header: boolean;
  delimiter: string;
  addQuotes: boolean;
  nullAs: string;
  escape: boolean;
  gzip: boolean;
  allowOverwrite: boolean;
  cleanPath: boolean;
  parallel: boolean;
  manifest: boolean;
  /** EXTENSION, without a leading dot */
  extension?: string;
  maxFileSizeBytes?: number;
}

export interface CopySpec {
  kind: 'copy';
  table: QualifiedName;
  columns?: string[];
  /** s3://bucket/prefix (or a manifest file with `manifest`) */
  source: string;
  format: 'text' | 'csv' | 'parquet' | 'json';
  delimiter: string;
  quote: string;
  ignoreHeader: number;
  nullAs?: string;
  emptyAsNull: boolean;
  blanksAsNull: boolean;
  gzip: boolean;
  manifest: boolean;
  /** COPY options the stand-in accepts without emulating them */
  ignoredOptions: string[];
}

export interface CreateExternalSchemaSpec {
  kind: 'createExternalSchema';
  schema: string;
  ifNotExists: boolean;
  catalogDatabase: string;
  iamRole?: string;
  region?: string;
  createExternalDatabase: boolean;
}

export interface CreateExternalTableSpec {
  kind: 'createExternalTable';
  table: QualifiedName;
  ifNotExists: boolean;
  columns: ColumnDef[];
  partitions: ColumnDef[];
  format: 'textfile' | 'parquet';
  /** row format delimited fields terminated by (textfile) */
  delimiter: string;
  /** OpenCSVSerde: quoted CSV; LazySimpleSerDe (row format delimited): no quote handling */
  serde: 'lazysimple' | 'opencsv';
  serdeProperties: Record<string, string>;
  location: string;
  tableProperties: Record<string, string>;
}

export interface PartitionSpec {
  /** [column, value] in the order written */
  values: Array<[string, string]>;
  location: string;
}

export type AlterExternalOp =
  | { op: 'addPartitions'; ifNotExists: boolean; partitions: PartitionSpec[] }
  | { op: 'dropPartition'; values: Array<[string, string]> }
  | { op: 'setPartitionLocation'; values: Array<[string, string]>; location: string }
  | { op: 'setLocation'; location: string }
  | { op: 'setTableProperties'; properties: Record<string, string> }
  | { op: 'setFileFormat'; format: string };

export interface AlterExternalTableSpec {
  kind: 'alterExternalTable';
  table: QualifiedName;
  action: AlterExternalOp;
}

export type Translation =
  | {
      kind: 'sql';
      sql: string;
      /** tables a DROP TABLE names: an external one among them cannot be dropped inside a transaction block */
      dropTables?: QualifiedName[];
    }
  | { kind: 'noop'; tag: string; notInTransaction?: string }
  /** SET / RESET query_group: the label of the session's queries (null: none) */
  | { kind: 'queryGroup'; tag: string; label: string | null }
  | { kind: 'error'; message: string; code?: string }
  | UnloadSpec
  | CopySpec
  | CreateExternalSchemaSpec
  | CreateExternalTableSpec
  | AlterExternalTableSpec;

/** Redshift-only settings: SET/RESET of these is accepted and ignored. */
const REDSHIFT_SETTINGS = new Set([
  'enable_result_cache_for_session',
  'wlm_query_slot_count',
  'analyze_threshold_percent',
  'json_parse_truncate_strings',
  'enable_case_sensitive_identifier',
  'enable_case_sensitive_super_attribute',
  'spectrum_enable_pseudo_columns',
  'auto_analyze',
  'datashare_break_glass_session_var',
  'describe_field_name_in_uppercase',
  'downcase_delimited_identifier',
  'mv_enable_aqmv_for_session',
  'navigate_super_null_on_error',
  'parse_super_null_on_error',
  'cast_super_null_on_error',
  'use_fips_ssl',
  'enable_numeric_rounding',
]);

const err = (message: string, code = '0A000'): Translation => ({ kind: 'error', message, code });

/** The schema of the stand-in's Redshift functions and system views (catalog.ts). */
const CATALOG_SCHEMA_NAME = 'standin_catalog';

/** Translates every statement of a script. */
export function translateScript(sql: string, opts: TranslateOptions = {}): Translation[] {
  return splitStatements(sql).map((s) => translateStatement(s, opts));
}

/** Translates one statement (no top-level `;` inside, except a trailing one). */
export function translateStatement(sql: string, opts: TranslateOptions = {}): Translation {
  const text = sql.trim().replace(/;\s*$/, '');
  const tokens = tokenize(text);
  const c = new Cursor(tokens);
  try {
    const k0 = c.peekKw(0);
    const k1 = c.peekKw(1);
    const k2 = c.peekKw(2);
    if (k0 === 'unload') return parseUnload(c, opts);
    if (k0 === 'copy') return parseCopy(c);
    if (k0 === 'create' && k1 === 'external') {
      if (k2 === 'schema') return parseCreateExternalSchema(c);
      if (k2 === 'table') return parseCreateExternalTable(c, opts);
      return err(`CREATE EXTERNAL ${k2.toUpperCase()} is not supported by the Redshift stand-in`);
    }
    if (k0 === 'alter' && k1 === 'table') {
      const ext = parseAlterExternal(c);
      if (ext) return ext;
      const noop = alterTableNoop(c);
      if (noop) return noop;
      if (/\bappend\s+from\b/i.test(text)) return err('ALTER TABLE APPEND is not supported by the Redshift stand-in');
    }
    const principals = translatePrincipals(tokens, (t) => rewrite(t, opts));
    if (principals) return principals;
    if (k0 === 'vacuum') return { kind: 'noop', tag: 'VACUUM', notInTransaction: 'VACUUM' };
    if (k0 === 'analyze' && k1 === 'compression') return { kind: 'noop', tag: 'ANALYZE' };
    if ((k0 === 'set' || k0 === 'reset') && (k1 === 'session' || k1 === 'local' ? k2 : k1) === 'query_group') return parseQueryGroup(c);
    if ((k0 === 'set' || k0 === 'reset') && REDSHIFT_SETTINGS.has(k1 === 'session' || k1 === 'local' ? k2 : k1)) {
      return { kind: 'noop', tag: k0.toUpperCase() };
    }
    if (k0 === 'set' && (k1 === 'search_path' || ((k1 === 'session' || k1 === 'local') && k2 === 'search_path'))) {
      // Redshift's system views and functions are always found: keep the stand-in's catalog on the path
      const sql = rewrite(tokens, opts);
      return { kind: 'sql', sql: /\bdefault\s*$/i.test(sql) ? sql : `${sql}, ${CATALOG_SCHEMA_NAME}` };
    }
    if (k0 === 'drop' && k1 === 'table') {
      return { kind: 'sql', sql: rewrite(tokens, opts), dropTables: parseDropTableNames(c) };
    }
    if (k0 === 'drop' && k1 === 'schema') return { kind: 'sql', sql: rewrite(stripDropExternalDatabase(tokens), opts) };
    if (k0 === 'create' && isCreateTable(c)) return { kind: 'sql', sql: rewrite(stripTableAttributes(tokens, c), opts) };
    if (k0 === 'create' && isCreateView(c)) return { kind: 'sql', sql: rewrite(stripNoSchemaBinding(tokens), opts) };
    return { kind: 'sql', sql: rewrite(tokens, opts) };
  } catch (e) {
    if (e instanceof SyntaxError) return { kind: 'error', message: `syntax error: ${e.message}`, code: '42601' };
    throw e;
  }
}

/** `set [session] query_group to 'label'` (or `= label`, `to default`), `reset query_group`. */
function parseQueryGroup(c: Cursor): Translation {
  const verb = c.next()!.text.toUpperCase();
  c.accept('session');
  c.accept('local');
  c.expect('query_group');
  if (verb === 'RESET') return { kind: 'queryGroup', tag: 'RESET', label: null };
  if (!c.accept('to')) c.expectOp('=');
  const t = c.next();
  if (!t || !c.atEnd()) throw new SyntaxError('SET query_group takes one value');
  if (t.type === 'string') return { kind: 'queryGroup', tag: 'SET', label: unquoteString(t.text) };
  if (t.type === 'word' && t.text.toLowerCase() === 'default') return { kind: 'queryGroup', tag: 'SET', label: null };
  if (t.type === 'word' || t.type === 'ident' || t.type === 'number') return { kind: 'queryGroup', tag: 'SET', label: t.type === 'ident' ? identName(t) : t.text };
  throw new SyntaxError(`SET query_group does not take ${t.text}`);
}

// ---------------------------------------------------------------- rewriting

const VARCHAR_WORDS = new Set(['varchar', 'varying', 'nvarchar', 'bpchar', 'char', 'character', 'nchar', 'varbyte', 'varbinary']);
const DATEPART_FUNCTIONS = new Set(['dateadd', 'datediff', 'date_part']);

/** Applies the expression-level rewrites to a token list and returns the SQL text. */
export function rewrite(tokens: Token[], opts: TranslateOptions = {}): string {
  const out = tokens.map((t) => t.text);
  const sigIdx: number[] = [];
  tokens.forEach((t, i) => {
    if (!isTrivia(t)) sigIdx.push(i);
  });
  const sig = (k: number): Token | undefined => (k >= 0 && k < sigIdx.length ? tokens[sigIdx[k]] : undefined);
  const isOp = (t: Token | undefined, op: string) => !!t && t.type === 'op' && t.text === op;
  const isName = (t: Token | undefined) => !!t && (t.type === 'word' || t.type === 'ident');
  const fold = opts.foldQuotedIdentifiers !== false;
  const database = opts.database?.toLowerCase();

  for (let k = 0; k < sigIdx.length; k++) {
    const t = sig(k)!;
    const i = sigIdx[k];
    const word = kw(t);
    if (t.type === 'ident' && fold) out[i] = t.text.toLowerCase();
    // #temp → "#temp" (Redshift's temporary-table prefix)
    if (isOp(t, '#') && sig(k + 1)?.type === 'word' && tokens[i + 1] === sig(k + 1)) {
      out[i] = '';
      out[sigIdx[k + 1]] = quoteIdent(`#${sig(k + 1)!.text.toLowerCase()}`);
      continue;
    }
    if (word === 'max' && isOp(sig(k - 1), '(') && VARCHAR_WORDS.has(kw(sig(k - 2))) && isOp(sig(k + 1), ')')) {
      out[i] = '65535';
    } else if (word === 'sysdate' && !isOp(sig(k - 1), '.') && !isOp(sig(k + 1), '(')) {
      out[i] = 'localtimestamp';
    } else if (DATEPART_FUNCTIONS.has(word) && isOp(sig(k + 1), '(') && sig(k + 2)?.type === 'word' && isOp(sig(k + 3), ',')) {
      out[sigIdx[k + 2]] = quoteString(sig(k + 2)!.text.toLowerCase());
    } else if (word === 'array' && isOp(sig(k + 1), '(') && !['select', 'with'].includes(kw(sig(k + 2))) && !isOp(sig(k - 1), '.')) {
      // Redshift's SUPER array constructor: SUPER values are jsonb here
      out[i] = 'jsonb_build_array';
    } else if (word === 'super' && (isOp(sig(k - 1), '::') || (kw(sig(k - 1)) === 'as' && isOp(sig(k + 1), ')')) || (isName(sig(k - 1)) && (isOp(sig(k + 1), ',') || isOp(sig(k + 1), ')') || !sig(k + 1))))) {
      out[i] = 'jsonb';
    } else if (word === 'approximate' && kw(sig(k + 1)) === 'count') {
      out[i] = '';
    } else if (
      database &&
      isName(t) &&
      !isOp(sig(k - 1), '.') &&
      identName(t).toLowerCase() === database &&
      isOp(sig(k + 1), '.') &&
      isName(sig(k + 2)) &&
      isOp(sig(k + 3), '.') &&
      isName(sig(k + 4)) &&
      (!isOp(sig(k + 5), '.') || (isName(sig(k + 6)) && !isOp(sig(k + 7), '.')))
    ) {
      for (let j = i; j <= sigIdx[k + 1]; j++) out[j] = '';
      k += 1;
    }
  }
  // LISTAGG(expr [, delimiter]) [WITHIN GROUP (ORDER BY …)] → string_agg(expr::text, delimiter [ORDER BY …])
  for (let k = 0; k < sigIdx.length; k++) {
    if (kw(sig(k)) !== 'listagg' || !isOp(sig(k + 1), '(')) continue;
    const close = matchSig(sig, k + 1);
    if (close < 0) continue;
    const args = splitArgs(sig, k + 2, close);
    const textOf = (a: number, b: number) => (a > b ? '' : out.slice(sigIdx[a], sigIdx[b] + 1).join(''));
    let distinct = '';
    let first = args[0];
    if (!first) continue;
    if (kw(sig(first[0])) === 'distinct') {
      distinct = 'distinct ';
      first = [first[0] + 1, first[1]];
    }
    const expr = textOf(first[0], first[1]);
    const delim = args[1] ? textOf(args[1][0], args[1][1]) : "''";
    let end = close;
    let orderBy = '';
    if (kw(sig(close + 1)) === 'within' && kw(sig(close + 2)) === 'group' && isOp(sig(close + 3), '(')) {
      const gclose = matchSig(sig, close + 3);
      if (gclose > 0) {
        orderBy = ` ${textOf(close + 4, gclose - 1)}`;
        end = gclose;
      }
    }
    out[sigIdx[k]] = `string_agg(${distinct}(${expr})::text, ${delim}${orderBy})`;
    for (let j = sigIdx[k] + 1; j <= sigIdx[end]; j++) out[j] = '';
    k = end;
  }
  return out.join('');
}

function matchSig(sig: (k: number) => Token | undefined, open: number): number {
  let depth = 0;
  for (let k = open; ; k++) {
    const t = sig(k);
    if (!t) return -1;
    if (t.type !== 'op') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')' && --depth === 0) return k;
  }
}

/** Argument ranges [from, to] (inclusive sig indices) between `from` and `close` (exclusive), split at depth-0 commas. */
function splitArgs(sig: (k: number) => Token | undefined, from: number, close: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let depth = 0;
  let start = from;
  for (let k = from; k < close; k++) {
    const t = sig(k)!;
    if (t.type === 'op' && t.text === '(') depth++;
    else if (t.type === 'op' && t.text === ')') depth--;
    else if (t.type === 'op' && t.text === ',' && depth === 0) {
      out.push([start, k - 1]);
      start = k + 1;
    }
  }
  if (start <= close - 1) out.push([start, close - 1]);
  return out;
}

// ---------------------------------------------------------------- CREATE TABLE / VIEW

function isCreateTable(c: Cursor): boolean {
  let k = 1;
  if (c.peekKw(k) === 'or' && c.peekKw(k + 1) === 'replace') k += 2;
  if (c.peekKw(k) === 'local') k++;
  if (c.peekKw(k) === 'temp' || c.peekKw(k) === 'temporary') k++;
  if (c.peekKw(k) === 'table') return true;
  return c.peekKw(k) === 'materialized' && c.peekKw(k + 1) === 'view';
}

function isCreateView(c: Cursor): boolean {
  let k = 1;
  if (c.peekKw(k) === 'or' && c.peekKw(k + 1) === 'replace') k += 2;
  return c.peekKw(k) === 'view';
}

/**
 * Removes Redshift's physical design from CREATE TABLE / CTAS / CREATE
 * MATERIALIZED VIEW: table attributes at depth 0 before AS, and column
 * attributes and informational constraints in the column list.
 */
function stripTableAttributes(tokens: Token[], c: Cursor): Token[] {
  const sig = c.sig;
  const drop = new Set<Token>();
  const replace = new Map<Token, string>();
  const op = (t: Token | undefined, s: string) => !!t && t.type === 'op' && t.text === s;
  const tableIdx = sig.findIndex((t) => kw(t) === 'table' || kw(t) === 'view');
  // a #name makes a temporary table
  const isTemp = sig.some((t, k) => k < tableIdx && (kw(t) === 'temp' || kw(t) === 'temporary'));
  if (kw(sig[tableIdx]) === 'table' && op(sig[tableIdx + 1], '#') && !isTemp) replace.set(sig[tableIdx], 'temporary table');
  // column list: the first '(' after the name, unless the name is followed directly by AS / attributes
  let k = tableIdx + 1;
  if (kw(sig[k]) === 'if' && kw(sig[k + 1]) === 'not' && kw(sig[k + 2]) === 'exists') k += 3;
  // skip the (possibly qualified) name
  while (k < sig.length && !op(sig[k], '(') && !isAttributeStart(sig, k) && kw(sig[k]) !== 'as') k++;
  let afterCols = k;
  if (op(sig[k], '(')) {
    const close = c.matchParen(k);
    stripColumnList(sig, k + 1, close, drop, replace);
    afterCols = close + 1;
  }
  // table attributes at depth 0 until AS
  let depth = 0;
  for (let j = afterCols; j < sig.length; j++) {
    const t = sig[j];
    if (op(t, '(')) depth++;
    if (op(t, ')')) depth--;
    if (depth !== 0) continue;
    const w = kw(t);
    if (w === 'as') break;
    const len = attributeLength(sig, j);
    if (len > 0) {
      for (let m = j; m < j + len; m++) drop.add(sig[m]);
      j += len - 1;
    }
  }
  return tokens.map((t) => (drop.has(t) ? { ...t, text: '' } : replace.has(t) ? { ...t, text: replace.get(t)! } : t));
}

function isAttributeStart(sig: Token[], k: number): boolean {
  return attributeLength(sig, k) > 0;
}

/** Length (in significant tokens) of a table attribute starting at sig[k], else 0. */
function attributeLength(sig: Token[], k: number): number {
  const w = kw(sig[k]);
  const next = kw(sig[k + 1]);
  const parenLen = (at: number): number => {
    if (!(sig[at]?.type === 'op' && sig[at].text === '(')) return 0;
    let depth = 0;
    for (let j = at; j < sig.length; j++) {
      if (sig[j].type === 'op' && sig[j].text === '(') depth++;
      if (sig[j].type === 'op' && sig[j].text === ')' && --depth === 0) return j - at + 1;
    }
    return 0;
  };
  if (w === 'backup' && (next === 'yes' || next === 'no')) return 2;
  if (w === 'diststyle' && ['all', 'even', 'auto', 'key'].includes(next)) return 2;
  if (w === 'distkey') return 1 + parenLen(k + 1);
  if ((w === 'compound' || w === 'interleaved') && next === 'sortkey') return 2 + parenLen(k + 2);
  if (w === 'sortkey') return next === 'auto' || next === 'none' ? 2 : 1 + parenLen(k + 1);
  if (w === 'encode' && next === 'auto') return 2;
  if (w === 'auto' && next === 'refresh' && ['yes', 'no'].includes(kw(sig[k + 2]))) return 3;
  return 0;
}

/** Column attributes and informational constraints inside a CREATE TABLE column list (sig[from..close)). */
function stripColumnList(sig: Token[], from: number, close: number, drop: Set<Token>, replace: Map<Token, string>): void {
  // split into entries at depth-0 commas
  const entries: Array<[number, number]> = [];
  let depth = 0;
  let start = from;
  for (let k = from; k < close; k++) {
    const t = sig[k];
    if (t.type === 'op' && t.text === '(') depth++;
    else if (t.type === 'op' && t.text === ')') depth--;
    else if (t.type === 'op' && t.text === ',' && depth === 0) {
      entries.push([start, k]);
      start = k + 1;
    }
  }
  entries.push([start, close]);
  let anyKeptBefore = false;
  for (const [a, b] of entries) {
    // [a, b): sig[b] is the comma after the entry (or the closing paren)
    let s = a;
    if (kw(sig[s]) === 'constraint') s += 2;
    const w = kw(sig[s]);
    const isTableConstraint = (w === 'primary' && kw(sig[s + 1]) === 'key') || w === 'unique' || (w === 'foreign' && kw(sig[s + 1]) === 'key');
    if (isTableConstraint) {
      // informational in Redshift (never enforced): drop the entry and one comma next to it
      for (let k = a; k < b; k++) drop.add(sig[k]);
      if (anyKeptBefore) drop.add(sig[a - 1]);
      else if (sig[b]?.text === ',') drop.add(sig[b]);
      continue;
    }
    anyKeptBefore = true;
    if (w === 'like') continue;
    stripColumnAttributes(sig, a, b, drop, replace);
  }
}

/** Column attributes of one column definition sig[a..b). */
function stripColumnAttributes(sig: Token[], a: number, b: number, drop: Set<Token>, replace: Map<Token, string>): void {
  let d = 0;
  for (let k = a + 1; k < b; k++) {
    const t = sig[k];
    if (t.type === 'op' && t.text === '(') d++;
    if (t.type === 'op' && t.text === ')') d--;
    if (d !== 0) continue;
    const word = kw(t);
    const next = kw(sig[k + 1]);
    if (word === 'encode' && sig[k + 1]?.type === 'word') {
      drop.add(t);
      drop.add(sig[k + 1]);
      k++;
    } else if (word === 'distkey' || word === 'sortkey') {
      drop.add(t);
    } else if (word === 'collate' && (next === 'case_sensitive' || next === 'case_insensitive')) {
      drop.add(t);
      drop.add(sig[k + 1]);
      k++;
    } else if (word === 'primary' && next === 'key') {
      drop.add(t);
      drop.add(sig[k + 1]);
      k++;
    } else if (word === 'unique') {
      drop.add(t);
    } else if (word === 'references') {
      // references table [(col)]
      let m = k + 1;
      while (m < b && !(sig[m].type === 'op' && (sig[m].text === '(' || sig[m].text === ',')) && !/^(not|null|default|encode|distkey|sortkey)$/.test(kw(sig[m]))) m++;
      if (sig[m]?.type === 'op' && sig[m].text === '(') {
        let dd = 0;
        for (; m < b; m++) {
          if (sig[m].text === '(') dd++;
          if (sig[m].text === ')' && --dd === 0) break;
        }
        m++;
      }
      for (let j = k; j < m; j++) drop.add(sig[j]);
      k = m - 1;
    } else if (word === 'identity' && sig[k + 1]?.text === '(') {
      const args = identityArgs(sig, k + 1);
      if (args) {
        replace.set(t, `generated by default as identity (start with ${args[0]} increment by ${args[1]})`);
        for (let j = k + 1; j <= args[2]; j++) drop.add(sig[j]);
        k = args[2];
      }
    } else if (word === 'generated' && next === 'by' && kw(sig[k + 2]) === 'default' && kw(sig[k + 3]) === 'as' && kw(sig[k + 4]) === 'identity' && sig[k + 5]?.text === '(') {
      const args = identityArgs(sig, k + 5);
      if (args) {
        replace.set(sig[k + 5], `(start with ${args[0]} increment by ${args[1]})`);
        for (let j = k + 6; j <= args[2]; j++) drop.add(sig[j]);
        k = args[2];
      }
    }
  }
}

/** IDENTITY(seed, step) at sig[open] = '(' → [seed, step, closeIdx]. */
function identityArgs(sig: Token[], open: number): [string, string, number] | undefined {
  const seed = sig[open + 1];
  const comma = sig[open + 2];
  const step = sig[open + 3];
  const close = sig[open + 4];
  if (seed?.type === 'number' && comma?.text === ',' && step?.type === 'number' && close?.text === ')') return [seed.text, step.text, open + 4];
  return undefined;
}

/**
 * A late-binding view (WITH NO SCHEMA BINDING) becomes a PostgreSQL view
 * marked with the (default, so harmless) option security_barrier=false:
 * pg_get_late_binding_view_cols() (catalog.ts) lists the views with that mark.
 */
function stripNoSchemaBinding(tokens: Token[]): Token[] {
  const sigIdx = tokens.map((t, i) => (isTrivia(t) ? -1 : i)).filter((i) => i >= 0);
  const n = sigIdx.length;
  const words = [n - 4, n - 3, n - 2, n - 1].map((k) => kw(tokens[sigIdx[k]]));
  if (words.join(' ') !== 'with no schema binding') return tokens;
  const from = sigIdx[n - 4];
  // the AS that starts the query: the first depth-0 AS after VIEW
  let depth = 0;
  let seenView = false;
  let asIdx = -1;
  for (const i of sigIdx) {
    const t = tokens[i];
    if (t.type === 'op' && t.text === '(') depth++;
    if (t.type === 'op' && t.text === ')') depth--;
    if (kw(t) === 'view') seenView = true;
    else if (seenView && depth === 0 && kw(t) === 'as') {
      asIdx = i;
      break;
    }
  }
  return tokens.map((t, i) => {
    if (i >= from) return { ...t, text: '' };
    if (i === asIdx) return { ...t, text: `with (security_barrier = false) ${t.text}` };
    return t;
  });
}

function stripDropExternalDatabase(tokens: Token[]): Token[] {
  const sigIdx = tokens.map((t, i) => (isTrivia(t) ? -1 : i)).filter((i) => i >= 0);
  for (let k = 0; k + 2 < sigIdx.length; k++) {
    if (kw(tokens[sigIdx[k]]) === 'drop' && kw(tokens[sigIdx[k + 1]]) === 'external' && kw(tokens[sigIdx[k + 2]]) === 'database' && k > 0) {
      return tokens.map((t, i) => (i >= sigIdx[k] && i <= sigIdx[k + 2] ? { ...t, text: '' } : t));
    }
  }
  return tokens;
}

function parseDropTableNames(c: Cursor): QualifiedName[] {
  c.pos = 2;
  c.accept('if', 'exists');
  const names = [c.expectQualifiedName()];
  while (c.acceptOp(',')) names.push(c.expectQualifiedName());
  return names;
}

function alterTableNoop(c: Cursor): Translation | undefined {
  c.pos = 2;
  c.accept('if', 'exists');
  try {
    c.expectQualifiedName();
  } catch {
    return undefined;
  }
  const w = c.peekKw();
  const w1 = c.peekKw(1);
  if (w === 'alter' && ['diststyle', 'distkey', 'sortkey', 'compound', 'encode', 'interleaved'].includes(w1)) return { kind: 'noop', tag: 'ALTER TABLE' };
  if (w === 'alter' && w1 === 'column' && c.peekKw(3) === 'encode') return { kind: 'noop', tag: 'ALTER TABLE' };
  if (w === 'alter' && w1 === 'autorefresh') return { kind: 'noop', tag: 'ALTER TABLE' };
  if (w === 'add') {
    let k = 1;
    if (c.peekKw(k) === 'constraint') k += 2;
    const a = c.peekKw(k);
    if ((a === 'primary' && c.peekKw(k + 1) === 'key') || a === 'unique' || (a === 'foreign' && c.peekKw(k + 1) === 'key')) return { kind: 'noop', tag: 'ALTER TABLE' };
  }
  return undefined;
}

// ---------------------------------------------------------------- UNLOAD

function sizeBytes(c: Cursor): number {
  c.accept('as');
  const t = c.next();
  const n = Number(t?.text);
  if (!t || t.type !== 'number' || !Number.isFinite(n)) throw new SyntaxError('expected a size');
  const unit = c.peekKw();
  if (unit === 'gb') {
    c.next();
    return n * 1024 ** 3;
  }
  if (unit === 'mb') c.next();
  return n * 1024 ** 2;
}

function parseUnload(c: Cursor, opts: TranslateOptions): Translation {
  c.expect('unload');
  c.expectOp('(');
  const queryText = c.expectString();
  c.expectOp(')');
  c.expect('to');
  const target = c.expectString();
  const spec: UnloadSpec = {
    kind: 'unload',
    query: '',
    target,
    format: 'text',
    header: false,
    delimiter: '|',
    addQuotes: false,
    nullAs: '',
    escape: false,
    gzip: false,
    allowOverwrite: false,
    cleanPath: false,
    parallel: true,
    manifest: false,
  };
  let delimiterGiven = false;
  const used: string[] = [];
  while (!c.atEnd()) {
    const w = c.peekKw();
    if (c.accept('iam_role')) {
      if (!c.accept('default')) c.expectString();
    } else if (['credentials', 'access_key_id', 'secret_access_key', 'session_token', 'kms_key_id', 'master_symmetric_key'].includes(w)) {
      c.next();
      c.accept('as');
      c.expectString();
    } else if (c.accept('format')) {
      c.accept('as');
      const f = c.next();
      const fmt = kw(f);
      if (fmt !== 'csv' && fmt !== 'parquet' && fmt !== 'json') throw new SyntaxError(`unknown UNLOAD format ${f?.text}`);
      spec.format = fmt;
    } else if (w === 'csv' || w === 'parquet' || w === 'json') {
      c.next();
      spec.format = w;
    } else if (c.accept('header')) {
      spec.header = true;
      used.push('HEADER');
    } else if (c.accept('delimiter')) {
      c.accept('as');
      spec.delimiter = c.expectString();
      delimiterGiven = true;
      used.push('DELIMITER');
    } else if (c.accept('addquotes')) {
      spec.addQuotes = true;
      used.push('ADDQUOTES');
    } else if (c.accept('null')) {
      c.accept('as');
      spec.nullAs = c.expectString();
      used.push('NULL AS');
    } else if (c.accept('escape')) {
      spec.escape = true;
      used.push('ESCAPE');
    } else if (c.accept('gzip')) {
      spec.gzip = true;
      used.push('GZIP');
    } else if (w === 'bzip2' || w === 'zstd') {
      return err(`UNLOAD ${w.toUpperCase()} is not supported by the Redshift stand-in`);
    } else if (c.accept('fixedwidth')) {
      return err('UNLOAD FIXEDWIDTH is not supported by the Redshift stand-in');
    } else if (c.accept('partition', 'by')) {
      return err('UNLOAD PARTITION BY is not supported by the Redshift stand-in');
    } else if (c.accept('manifest')) {
      spec.manifest = true;
      c.accept('verbose');
    } else if (c.accept('encrypted')) {
      c.accept('auto');
    } else if (c.accept('allowoverwrite')) {
      spec.allowOverwrite = true;
    } else if (c.accept('cleanpath')) {
      spec.cleanPath = true;
    } else if (c.accept('parallel')) {
      const v = c.peekKw();
      if (v === 'off' || v === 'false') {
        c.next();
        spec.parallel = false;
      } else if (v === 'on' || v === 'true') c.next();
    } else if (c.accept('maxfilesize')) {
      spec.maxFileSizeBytes = sizeBytes(c);
    } else if (c.accept('rowgroupsize')) {
      sizeBytes(c);
    } else if (c.accept('region')) {
      c.accept('as');
      c.expectString();
    } else if (c.accept('extension')) {
      spec.extension = c.expectString().replace(/^\./, '');
    } else {
      throw new SyntaxError(`unexpected UNLOAD option near ${c.describeHere()}`);
    }
  }
  if (spec.format === 'csv' && !delimiterGiven) spec.delimiter = ',';
  if (spec.format === 'parquet') {
    const bad = used.filter((u) => u !== 'NULL AS' || spec.nullAs !== '');
    if (bad.length) return err(`UNLOAD: ${bad[0]} can't be used with PARQUET format`, '42601');
  }
  if (spec.format === 'json' && used.some((u) => ['HEADER', 'DELIMITER', 'ADDQUOTES', 'ESCAPE', 'NULL AS'].includes(u))) {
    return err(`UNLOAD: ${used[0]} can't be used with JSON format`, '42601');
  }
  if (spec.allowOverwrite && spec.cleanPath) return err("UNLOAD: CLEANPATH can't be used with ALLOWOVERWRITE", '42601');
  if (spec.maxFileSizeBytes !== undefined && (spec.maxFileSizeBytes < 5 * 1024 ** 2 || spec.maxFileSizeBytes > 6.2 * 1024 ** 3)) {
    return err('UNLOAD: MAXFILESIZE must be between 5 MB and 6.2 GB', '22023');
  }
  if (!/^s3:\/\/[^/]+\/./.test(target)) return err(`UNLOAD destination must be an S3 path with a key prefix: ${target}`, '22023');
  const inner = translateStatement(queryText, opts);
  if (inner.kind !== 'sql') return err('UNLOAD: the query must be a SELECT', '42601');
  const innerCursor = new Cursor(tokenize(inner.sql));
  const first = innerCursor.peekKw();
  if (first !== 'select' && first !== 'with' && !(innerCursor.peek()?.text === '(')) return err('UNLOAD: the query must be a SELECT', '42601');
  if (hasTopLevelLimit(innerCursor)) return err('Limit clause is not supported in the outer select of an UNLOAD query', '0A000');
  spec.query = inner.sql;
  return spec;
}

function hasTopLevelLimit(c: Cursor): boolean {
  let depth = 0;
  for (const t of c.sig) {
    if (t.type === 'op' && t.text === '(') depth++;
    if (t.type === 'op' && t.text === ')') depth--;
    if (depth === 0 && kw(t) === 'limit') return true;
  }
  return false;
}

// ---------------------------------------------------------------- COPY

function parseCopy(c: Cursor): Translation {
  c.expect('copy');
  const table = c.expectQualifiedName();
  let columns: string[] | undefined;
  if (c.acceptOp('(')) {
    columns = [c.expectIdent()];
    while (c.acceptOp(',')) columns.push(c.expectIdent());
    c.expectOp(')');
  }
  if (c.accept('to')) return err('COPY TO is not supported by Redshift; use UNLOAD', '0A000');
  c.expect('from');
  const src = c.peek();
  if (kw(src) === 'stdin') return err('COPY FROM STDIN is not supported by Redshift', '0A000');
  const source = c.expectString();
  if (!source.startsWith('s3://')) {
    if (/^(dynamodb|emr|ssh):\/\//i.test(source) || source.startsWith('arn:')) return err(`COPY from ${source.split(':')[0]} is not supported by the Redshift stand-in`);
    return err(`COPY from a local file is not supported by Redshift: ${source}`, '0A000');
  }
  const spec: CopySpec = {
    kind: 'copy',
    table,
    columns,
    source,
    format: 'text',
    delimiter: '|',
    quote: '"',
    ignoreHeader: 0,
    emptyAsNull: false,
    blanksAsNull: false,
    gzip: false,
    manifest: false,
    ignoredOptions: [],
  };
  let delimiterGiven = false;
  while (!c.atEnd()) {
    const w = c.peekKw();
    if (c.accept('iam_role')) {
      if (!c.accept('default')) c.expectString();
    } else if (['credentials', 'access_key_id', 'secret_access_key', 'session_token', 'master_symmetric_key'].includes(w)) {
      c.next();
      c.accept('as');
      c.expectString();
    } else if (c.accept('format')) {
      c.accept('as');
      const f = kw(c.next());
      if (f === 'csv') spec.format = 'csv';
      else if (f === 'parquet') spec.format = 'parquet';
      else return err(`COPY FORMAT ${f.toUpperCase()} is not supported by the Redshift stand-in`);
      if (f === 'csv') parseCsvQuote(c, spec);
    } else if (c.accept('csv')) {
      spec.format = 'csv';
      parseCsvQuote(c, spec);
    } else if (c.accept('parquet')) {
      spec.format = 'parquet';
    } else if (w === 'json' || w === 'avro' || w === 'orc' || w === 'fixedwidth' || w === 'shapefile') {
      return err(`COPY ${w.toUpperCase()} is not supported by the Redshift stand-in`);
    } else if (c.accept('delimiter')) {
      c.accept('as');
      spec.delimiter = c.expectString();
      delimiterGiven = true;
    } else if (c.accept('ignoreheader')) {
      c.accept('as');
      spec.ignoreHeader = Number(c.next()?.text);
    } else if (c.accept('null')) {
      c.accept('as');
      spec.nullAs = c.expectString();
    } else if (c.accept('emptyasnull')) {
      spec.emptyAsNull = true;
    } else if (c.accept('blanksasnull')) {
      spec.blanksAsNull = true;
    } else if (c.accept('gzip')) {
      spec.gzip = true;
    } else if (w === 'bzip2' || w === 'zstd' || w === 'lzop') {
      return err(`COPY ${w.toUpperCase()} is not supported by the Redshift stand-in`);
    } else if (c.accept('manifest')) {
      spec.manifest = true;
    } else if (c.accept('region')) {
      c.accept('as');
      c.expectString();
    } else if (w === 'dateformat' || w === 'timeformat') {
      c.next();
      c.accept('as');
      const v = c.expectString();
      if (v.toLowerCase() !== 'auto') spec.ignoredOptions.push(`${w.toUpperCase()} '${v}'`);
    } else if (['maxerror', 'comprows'].includes(w)) {
      c.next();
      c.accept('as');
      spec.ignoredOptions.push(`${w.toUpperCase()} ${c.next()?.text}`);
    } else if (w === 'acceptinvchars') {
      c.next();
      if (c.accept('as')) c.expectString();
      else if (c.peek()?.type === 'string') c.next();
      spec.ignoredOptions.push('ACCEPTINVCHARS');
    } else if (w === 'compupdate' || w === 'statupdate') {
      c.next();
      if (['on', 'off', 'true', 'false', 'preset'].includes(c.peekKw())) c.next();
    } else if (w === 'encoding') {
      c.next();
      c.accept('as');
      c.next();
    } else if (['truncatecolumns', 'removequotes', 'escape', 'explicit_ids', 'fillrecord', 'ignoreblanklines', 'trimblanks', 'roundec', 'acceptanydate', 'noload'].includes(w)) {
      c.next();
      spec.ignoredOptions.push(w.toUpperCase());
    } else {
      throw new SyntaxError(`unexpected COPY option near ${c.describeHere()}`);
    }
  }
  if (spec.format === 'csv' && !delimiterGiven) spec.delimiter = ',';
  if (!Number.isInteger(spec.ignoreHeader) || spec.ignoreHeader < 0) return err('COPY: IGNOREHEADER needs a non-negative integer', '22023');
  return spec;
}

function parseCsvQuote(c: Cursor, spec: CopySpec): void {
  if (c.accept('quote')) {
    c.accept('as');
    spec.quote = c.expectString();
  }
}

// ---------------------------------------------------------------- Spectrum DDL

function parseCreateExternalSchema(c: Cursor): Translation {
  c.expect('create', 'external', 'schema');
  const ifNotExists = c.accept('if', 'not', 'exists');
  const schema = c.expectIdent();
  c.expect('from');
  if (!c.accept('data', 'catalog')) {
    return err(`CREATE EXTERNAL SCHEMA FROM ${c.peekKw().toUpperCase()} is not supported by the Redshift stand-in (only FROM DATA CATALOG)`);
  }
  const spec: CreateExternalSchemaSpec = { kind: 'createExternalSchema', schema, ifNotExists, catalogDatabase: '', createExternalDatabase: false };
  while (!c.atEnd()) {
    if (c.accept('database')) spec.catalogDatabase = c.expectString();
    else if (c.accept('region')) spec.region = c.expectString();
    else if (c.accept('iam_role')) spec.iamRole = c.accept('default') ? 'default' : c.expectString();
    else if (c.accept('catalog_role')) {
      if (!c.accept('default')) c.expectString();
    } else if (c.accept('catalog_id')) c.expectString();
    else if (c.accept('create', 'external', 'database', 'if', 'not', 'exists')) spec.createExternalDatabase = true;
    else throw new SyntaxError(`unexpected CREATE EXTERNAL SCHEMA option near ${c.describeHere()}`);
  }
  if (!spec.catalogDatabase) throw new SyntaxError('CREATE EXTERNAL SCHEMA needs DATABASE');
  if (!spec.iamRole) return err('CREATE EXTERNAL SCHEMA: IAM_ROLE is required', '42601');
  return spec;
}

function parseKeyValueList(c: Cursor): Record<string, string> {
  const out: Record<string, string> = {};
  c.expectOp('(');
  if (c.acceptOp(')')) return out;
  do {
    const k = c.expectString();
    c.expectOp('=');
    out[k] = c.expectString();
  } while (c.acceptOp(','));
  c.expectOp(')');
  return out;
}

/** Column definitions `( name type, … )` with types as written. */
function parseColumnDefs(c: Cursor, opts: TranslateOptions): ColumnDef[] {
  c.expectOp('(');
  const open = c.pos - 1;
  const close = c.matchParen(open);
  const cols: ColumnDef[] = [];
  let k = open + 1;
  while (k < close) {
    const nameTok = c.sig[k];
    let depth = 0;
    let m = k + 1;
    for (; m < close; m++) {
      const t = c.sig[m];
      if (t.text === '(') depth++;
      if (t.text === ')') depth--;
      if (t.text === ',' && depth === 0) break;
    }
    const typeText = c.textBetween(k + 1, m).trim();
    if (!typeText) throw new SyntaxError(`column ${nameTok.text} has no type`);
    cols.push({ name: identName(nameTok), type: rewrite(tokenize(typeText), opts) });
    k = m + 1;
  }
  c.pos = close + 1;
  return cols;
}

function parseCreateExternalTable(c: Cursor, opts: TranslateOptions): Translation {
  c.expect('create', 'external', 'table');
  const ifNotExists = c.accept('if', 'not', 'exists');
  const table = c.expectQualifiedName();
  if (!table.schema) return err('External tables must be qualified by an external schema name', '3F000');
  if (c.peek()?.text !== '(') return err('CREATE EXTERNAL TABLE AS is not supported by the Redshift stand-in');
  const columns = parseColumnDefs(c, opts);
  const spec: CreateExternalTableSpec = {
    kind: 'createExternalTable',
    table,
    ifNotExists,
    columns,
    partitions: [],
    format: 'textfile',
    delimiter: '\u0001',
    serde: 'lazysimple',
    serdeProperties: {},
    location: '',
    tableProperties: {},
  };
  let stored = false;
  while (!c.atEnd()) {
    if (c.accept('partitioned', 'by')) {
      spec.partitions = parseColumnDefs(c, opts);
    } else if (c.accept('row', 'format', 'delimited')) {
      while (true) {
        if (c.accept('fields', 'terminated', 'by')) spec.delimiter = decodeDelimiter(c.expectString());
        else if (c.accept('lines', 'terminated', 'by')) c.expectString();
        else if (c.accept('escaped', 'by')) c.expectString();
        else break;
      }
    } else if (c.accept('row', 'format', 'serde')) {
      const serde = c.expectString();
      if (serde === 'org.apache.hadoop.hive.serde2.OpenCSVSerde') spec.serde = 'opencsv';
      else if (serde !== 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe') return err(`ROW FORMAT SERDE '${serde}' is not supported by the Redshift stand-in`);
      if (c.accept('with', 'serdeproperties')) spec.serdeProperties = parseKeyValueList(c);
      if (spec.serde === 'opencsv') spec.delimiter = spec.serdeProperties.separatorChar ?? ',';
      else if (spec.serdeProperties['field.delim']) spec.delimiter = decodeDelimiter(spec.serdeProperties['field.delim']);
    } else if (c.accept('stored', 'as')) {
      const f = kw(c.next());
      if (f !== 'textfile' && f !== 'parquet') return err(`STORED AS ${f.toUpperCase()} is not supported by the Redshift stand-in (textfile, parquet)`);
      spec.format = f;
      stored = true;
    } else if (c.accept('location')) {
      spec.location = c.expectString();
    } else if (c.accept('table', 'properties')) {
      spec.tableProperties = parseKeyValueList(c);
    } else if (c.accept('as')) {
      return err('CREATE EXTERNAL TABLE AS is not supported by the Redshift stand-in');
    } else {
      throw new SyntaxError(`unexpected CREATE EXTERNAL TABLE clause near ${c.describeHere()}`);
    }
  }
  if (!stored) throw new SyntaxError('CREATE EXTERNAL TABLE needs STORED AS');
  if (!spec.location.startsWith('s3://')) return err(`CREATE EXTERNAL TABLE: LOCATION must be an s3:// path: ${spec.location}`, '22023');
  const names = new Set(columns.map((col) => col.name));
  const clash = spec.partitions.find((p) => names.has(p.name));
  if (clash) return err(`column "${clash.name}" specified more than once (partition columns don't exist within the table data)`, '42701');
  return spec;
}

/** Hive delimiters may be octal escapes like '\001'. */
function decodeDelimiter(s: string): string {
  const m = /^\\([0-7]{1,3})$/.exec(s);
  if (m) return String.fromCharCode(parseInt(m[1], 8));
  if (s === '\\t') return '\t';
  return s;
}

function parsePartitionValues(c: Cursor): Array<[string, string]> {
  c.expectOp('(');
  const out: Array<[string, string]> = [];
  do {
    const col = c.expectIdent();
    c.expectOp('=');
    const t = c.next();
    if (!t || (t.type !== 'string' && t.type !== 'number')) throw new SyntaxError(`expected a partition value near ${t ? `"${t.text}"` : 'end of input'}`);
    out.push([col, t.type === 'string' ? unquoteString(t.text) : t.text]);
  } while (c.acceptOp(','));
  c.expectOp(')');
  return out;
}

function parseAlterExternal(c: Cursor): Translation | undefined {
  c.pos = 2;
  let table: QualifiedName;
  try {
    table = c.expectQualifiedName();
  } catch {
    return undefined;
  }
  const at = c.pos;
  const w = c.peekKw();
  const w1 = c.peekKw(1);
  const done = (action: AlterExternalOp): Translation => {
    if (!c.atEnd()) throw new SyntaxError(`unexpected text near ${c.describeHere()}`);
    return { kind: 'alterExternalTable', table, action };
  };
  if (w === 'add' && (w1 === 'partition' || (w1 === 'if' && c.peekKw(2) === 'not' && c.peekKw(3) === 'exists' && c.peekKw(4) === 'partition'))) {
    c.next();
    let ifNotExists = c.accept('if', 'not', 'exists');
    const partitions: PartitionSpec[] = [];
    while (c.accept('partition')) {
      if (c.accept('if', 'not', 'exists')) ifNotExists = true;
      const values = parsePartitionValues(c);
      c.expect('location');
      partitions.push({ values, location: c.expectString() });
      c.acceptOp(',');
    }
    if (partitions.length > 100) return err('ALTER TABLE ADD PARTITION: at most 100 partitions in one statement', '54000');
    return done({ op: 'addPartitions', ifNotExists, partitions });
  }
  if (w === 'drop' && w1 === 'partition') {
    c.pos += 2;
    return done({ op: 'dropPartition', values: parsePartitionValues(c) });
  }
  if (w === 'partition') {
    c.next();
    const values = parsePartitionValues(c);
    c.expect('set', 'location');
    return done({ op: 'setPartitionLocation', values, location: c.expectString() });
  }
  if (w === 'set' && w1 === 'location') {
    c.pos += 2;
    return done({ op: 'setLocation', location: c.expectString() });
  }
  if (w === 'set' && w1 === 'table' && c.peekKw(2) === 'properties') {
    c.pos += 3;
    return done({ op: 'setTableProperties', properties: parseKeyValueList(c) });
  }
  if (w === 'set' && w1 === 'file' && c.peekKw(2) === 'format') {
    c.pos += 3;
    return done({ op: 'setFileFormat', format: kw(c.next()) });
  }
  c.pos = at;
  return undefined;
}

/** Data API named parameters: `:name` outside literals, identifiers, comments and `::` casts → the value as a quoted literal. */
export function substituteParameters(sql: string, params: Array<{ name: string; value: string }>): { sql: string; missing: string[]; unused: string[] } {
  const values = new Map(params.map((p) => [p.name, p.value]));
  const used = new Set<string>();
  const missing = new Set<string>();
  const tokens = tokenize(sql);
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    const prev = tokens[i - 1];
    if (t.type === 'op' && t.text === ':' && next?.type === 'word' && !(prev?.type === 'op' && prev.text === ':')) {
      const name = next.text;
      if (values.has(name)) {
        out.push(quoteStringE(values.get(name)!));
        used.add(name);
      } else {
        missing.add(name);
        out.push(t.text, next.text);
      }
      i++;
      continue;
    }
    out.push(t.text);
  }
  return { sql: out.join(''), missing: [...missing], unused: [...values.keys()].filter((k) => !used.has(k)) };
}
