/**
 * Snowflake external tables on DuckDB (test only): a view over the table's
 * registered file list. `value:cN` is the N-th CSV field, `value:x` /
 * `get_ignore_case(value, 'x')` the parquet column x, `metadata$filename`
 * the file's path relative to the stage root; VALUE itself is the row as JSON.
 */
import type { ExternalTableMeta } from './catalog.js';
import { quoteIdent, quoteString } from './sql-lexer.js';
import { isGroup, sigNodes } from './sql-tree.js';
import { csvFieldSql, csvWidth, fileFormatType, readCsvSql } from './stages.js';
import { translate, TranslateContext } from './translate.js';

/** The view's SELECT. `base` is the translation context (session names, current database…). */
export function externalViewSql(e: ExternalTableMeta, base: TranslateContext): string {
  const type = fileFormatType(e.format);
  const valueRefs = new Set<string>();
  const ctx: TranslateContext = {
    ...base,
    path: (b, keys) => (b.trim().toUpperCase() === '__SF_VALUE' ? fieldRef(keys[0]) : undefined),
    call: (name, args, raw) => {
      if ((name === 'GET_IGNORE_CASE' || name === 'GET') && args[0]?.toUpperCase() === '__SF_VALUE') {
        const k = sigNodes(raw[1] ?? [])[0];
        if (k && !isGroup(k) && k.type === 'string') return fieldRef(k.value);
      }
      return undefined;
    },
    word: (w) => {
      if (w === 'VALUE') return '__SF_VALUE';
      if (w === 'METADATA$FILENAME') return '__F.__SF_FILE';
      if (w === 'METADATA$FILE_ROW_NUMBER') return '__F.__SF_ROW';
      return undefined;
    },
  };
  function fieldRef(k: string): string {
    valueRefs.add(k);
    return `__F.${quoteIdent(k)}`;
  }
  const cols = e.columns.map((c) => `CAST((${translate(c.expr, ctx)}) AS ${translate(c.type, base)}) AS ${quoteIdent(c.name)}`);
  if (e.files.length === 0) {
    return `SELECT CAST(NULL AS JSON) AS "VALUE", ${e.columns.map((c) => `CAST(NULL AS ${translate(c.type, base)}) AS ${quoteIdent(c.name)}`).join(', ')} WHERE FALSE`;
  }
  const paths = e.files.map((f) => `${e.root}/${f}`);
  const rootLen = e.root.length + 2;
  let inner: string;
  let value: string;
  if (type === 'PARQUET') {
    inner = `SELECT * EXCLUDE (__sf_filename, file_row_number), substr(__sf_filename, ${rootLen}) AS __SF_FILE, file_row_number + 1 AS __SF_ROW,
      json_merge_patch(to_json(__P), '{"__sf_filename": null, "file_row_number": null}') AS __SF_VALUE_JSON
      FROM read_parquet([${paths.map(quoteString).join(', ')}], filename = '__sf_filename', file_row_number = true) AS __P`;
    value = '__F.__SF_VALUE_JSON';
  } else {
    let width = 0;
    for (const k of valueRefs) {
      const m = /^c(\d+)$/i.exec(k);
      if (m) width = Math.max(width, Number(m[1]));
    }
    const delim = typeof e.format.FIELD_DELIMITER === 'string' ? e.format.FIELD_DELIMITER : ',';
    const quote = typeof e.format.FIELD_OPTIONALLY_ENCLOSED_BY === 'string' ? e.format.FIELD_OPTIONALLY_ENCLOSED_BY : '';
    for (const p of paths) width = Math.max(width, csvWidth(p, delim, quote));
    const fields = Array.from({ length: Math.max(width, 1) }, (_, i) => `c${i + 1}`);
    inner = `SELECT ${fields.map((f) => `${csvFieldSql(quoteIdent(f), e.format)} AS ${quoteIdent(f)}`).join(', ')},
      substr(filename, ${rootLen}) AS __SF_FILE, row_number() OVER (PARTITION BY filename) AS __SF_ROW
      FROM ${readCsvSql(paths, e.format, fields.length, 'filename')}`;
    value = `json_object(${fields.map((f) => `${quoteString(f)}, __F.${quoteIdent(f)}`).join(', ')})`;
  }
  return `SELECT CAST(${value} AS JSON) AS "VALUE"${cols.length ? ', ' : ''}${cols.join(', ').replace(/__SF_VALUE(?!_)/g, value)} FROM (${inner}) AS __F`;
}

export interface RefreshRow {
  file: string;
  status: 'REGISTERED_NEW' | 'UNREGISTERED';
  description: string;
}

/** New registered list after re-scanning `sub` (relative to the location); the changes as Snowflake's REFRESH reports them. */
export function refreshFiles(e: ExternalTableMeta, present: string[], sub: string): { files: string[]; changes: RefreshRow[] } {
  const prefix = e.path + sub.replace(/^\/+/, '');
  const pattern = e.pattern ? new RegExp(`^(?:${e.pattern})$`) : undefined;
  const now = present.filter((f) => f.startsWith(prefix) && (!pattern || pattern.test(f)));
  const kept = e.files.filter((f) => !f.startsWith(prefix) || now.includes(f));
  const changes: RefreshRow[] = [];
  for (const f of e.files) if (!kept.includes(f)) changes.push({ file: f, status: 'UNREGISTERED', description: 'File removed from the external table metadata.' });
  const files = [...kept];
  for (const f of now) {
    if (!files.includes(f)) {
      files.push(f);
      changes.push({ file: f, status: 'REGISTERED_NEW', description: 'File registered successfully.' });
    }
  }
  return { files: files.sort(), changes };
}
