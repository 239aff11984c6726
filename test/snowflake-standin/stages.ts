/**
 * Stages for the stand-in (test only): parsing `@stage/path` references and
 * COPY / CREATE STAGE options, listing a stage location's files, and the
 * DuckDB SQL that reads (read_csv / read_parquet) and writes (COPY … TO) them.
 */
import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FormatOptions } from './catalog.js';
import { quoteString } from './sql-lexer.js';
import { Node, isGroup, isOp, isSig } from './sql-tree.js';

export type StageRef =
  | { kind: 'user'; path: string }
  | { kind: 'table'; parts: string[]; path: string }
  | { kind: 'named'; parts: string[]; path: string };

/** Parses the text of a stage token: @NAME/path, @"DB"."S"."NAME"/path, @~/path, @%T, @"DB"."S".%"T". */
export function parseStageRef(text: string): StageRef {
  let i = 1;
  if (text[i] === '~') {
    return { kind: 'user', path: text.slice(i + 1).replace(/^\/+/, '') };
  }
  const parts: string[] = [];
  let table = false;
  while (i < text.length) {
    if (text[i] === '%') {
      table = true;
      i++;
    }
    if (text[i] === '"') {
      let j = i + 1;
      let name = '';
      while (j < text.length) {
        if (text[j] === '"' && text[j + 1] === '"') {
          name += '"';
          j += 2;
        } else if (text[j] === '"') break;
        else name += text[j++];
      }
      parts.push(name);
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && /[A-Za-z0-9_$]/.test(text[j])) j++;
      parts.push(text.slice(i, j).toUpperCase());
      i = j;
    }
    if (text[i] === '.') i++;
    else break;
  }
  const path = text.slice(i).replace(/^\/+/, '');
  return table ? { kind: 'table', parts, path } : { kind: 'named', parts, path };
}

/** `KEY = value …` options (COPY, CREATE STAGE, FILE_FORMAT = (…)); keys upper case, bare-word values upper case. */
export function parseOptions(nodes: Node[]): FormatOptions {
  const sig = nodes.filter(isSig);
  const out: FormatOptions = {};
  for (let i = 0; i < sig.length; i++) {
    const k = sig[i];
    if (isGroup(k) || (k.type !== 'word' && k.type !== 'ident')) continue;
    if (!isOp(sig[i + 1], '=')) continue;
    const v = sig[i + 2];
    i += 2;
    if (v === undefined) break;
    if (isGroup(v)) {
      const inner = v.children.filter(isSig);
      if (inner.some((n) => isOp(n, '='))) out[k.value] = parseOptions(v.children);
      else out[k.value] = inner.filter((n) => !isOp(n, ',')).map((n) => (isGroup(n) ? '' : n.type === 'word' ? n.value : n.value));
    } else if (v.type === 'word') out[k.value] = v.value;
    else out[k.value] = v.value;
  }
  return out;
}

export const optString = (o: FormatOptions | undefined, k: string): string | undefined => {
  const v = o?.[k];
  return typeof v === 'string' ? v : undefined;
};
export const optBool = (o: FormatOptions | undefined, k: string, dflt: boolean): boolean => {
  const v = optString(o, k);
  return v === undefined ? dflt : /^(TRUE|1|YES|ON)$/i.test(v);
};
export const optList = (o: FormatOptions | undefined, k: string): string[] | undefined => {
  const v = o?.[k];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : undefined;
};
export const optFormat = (o: FormatOptions | undefined): FormatOptions => {
  const v = o?.FILE_FORMAT;
  return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
};

/** Every file under `root` whose path relative to it starts with `prefix` (relative, '/'-separated). */
export function listFiles(root: string, prefix: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (!e.includes('.sf-tmp-')) {
        const rel = relative(root, p).split(sep).join('/');
        if (rel.startsWith(prefix)) out.push(rel);
      }
    }
  };
  walk(root);
  return out.sort();
}

export function fileFormatType(f: FormatOptions): 'CSV' | 'PARQUET' | 'JSON' {
  const t = (optString(f, 'TYPE') ?? 'CSV').toUpperCase();
  return t === 'PARQUET' ? 'PARQUET' : t === 'JSON' ? 'JSON' : 'CSV';
}

/** Number of fields on a CSV file's first line (plain or gzip). */
export function csvWidth(file: string, delimiter: string, quote: string): number {
  let text: string;
  if (file.endsWith('.gz')) text = gunzipSync(readFileSync(file)).toString('utf8');
  else {
    const fd = openSync(file, 'r');
    const buf = Buffer.alloc(65536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
    text = buf.subarray(0, n).toString('utf8');
  }
  let fields = 1;
  let inQuote = false;
  for (const c of text) {
    if (quote && c === quote) inQuote = !inQuote;
    else if (!inQuote && c === delimiter) fields++;
    else if (!inQuote && (c === '\n' || c === '\r')) break;
  }
  return text.length === 0 ? 0 : fields;
}

/** read_csv(…) over files with every column VARCHAR named c1…cN, per a Snowflake CSV file format. */
export function readCsvSql(files: string[], f: FormatOptions, width: number, filenameColumn?: string): string {
  const delim = optString(f, 'FIELD_DELIMITER') ?? ',';
  const quote = optString(f, 'FIELD_OPTIONALLY_ENCLOSED_BY');
  const skip = Number(optString(f, 'SKIP_HEADER') ?? '0');
  const cols = Array.from({ length: Math.max(width, 1) }, (_, i) => `${quoteString(`c${i + 1}`)}: 'VARCHAR'`).join(', ');
  const opts = [
    `header = false`, `skip = ${skip}`, `auto_detect = false`, `delim = ${quoteString(delim === 'NONE' ? '\0' : delim)}`,
    `quote = ${quoteString(quote && quote !== 'NONE' ? quote : '')}`, `escape = ${quoteString(quote && quote !== 'NONE' ? quote : '')}`,
    // an unquoted empty field reads as NULL, a quoted one ("") as '' (Snowflake: an empty string)
    `columns = {${cols}}`, `null_padding = true`, `strict_mode = false`, `nullstr = ''`, `allow_quoted_nulls = false`,
  ];
  if (filenameColumn) opts.push(`filename = true`);
  return `read_csv([${files.map(quoteString).join(', ')}], ${opts.join(', ')})`;
}

/** Snowflake's NULL_IF / EMPTY_FIELD_AS_NULL applied to one CSV field (a VARCHAR expression). */
export function csvFieldSql(expr: string, f: FormatOptions): string {
  const nullIf = optList(f, 'NULL_IF') ?? ['\\N'];
  const emptyAsNull = optBool(f, 'EMPTY_FIELD_AS_NULL', true);
  // the reader gives NULL for an empty unquoted field (readCsvSql); without EMPTY_FIELD_AS_NULL it is ''
  const field = emptyAsNull ? expr : `coalesce(${expr}, '')`;
  const conds = nullIf.map((v) => `${field} = ${quoteString(v)}`);
  return conds.length ? `(CASE WHEN ${conds.join(' OR ')} THEN NULL ELSE ${field} END)` : field;
}

/** COPY (query) TO 'file' options for an unload. */
export function unloadCopyOptions(f: FormatOptions, header: boolean): { options: string; extension: string } {
  const type = fileFormatType(f);
  if (type === 'PARQUET') return { options: `(FORMAT parquet)`, extension: '.snappy.parquet' };
  if (type === 'JSON') return { options: `(FORMAT json)`, extension: '.json' };
  const compression = (optString(f, 'COMPRESSION') ?? 'AUTO').toUpperCase();
  const gzip = compression === 'AUTO' || compression === 'GZIP';
  const delim = optString(f, 'FIELD_DELIMITER') ?? ',';
  const quote = optString(f, 'FIELD_OPTIONALLY_ENCLOSED_BY');
  const nullIf = optList(f, 'NULL_IF');
  const parts = [
    `FORMAT csv`, `HEADER ${header ? 'true' : 'false'}`, `DELIMITER ${quoteString(delim)}`,
    `QUOTE ${quoteString(quote && quote !== 'NONE' ? quote : '"')}`, `NULLSTR ${quoteString(nullIf?.[0] ?? '')}`,
    `COMPRESSION ${gzip ? 'gzip' : 'none'}`,
  ];
  return { options: `(${parts.join(', ')})`, extension: gzip ? '.csv.gz' : '.csv' };
}
