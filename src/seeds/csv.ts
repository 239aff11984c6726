/**
 * A small, fast RFC 4180 CSV reader for seed files.
 *
 * Single pass over the string with charCodeAt; values are taken with slice, so a
 * field without escaped quotes costs one substring. Physical line numbers are
 * tracked as we go so errors (and later conversion errors) can point at the line
 * where a record starts, even when earlier records contain quoted newlines.
 */
import { UserError } from '../errors.js';

export interface CsvTable {
  header: string[];
  rows: (string | null)[][];
  /** 1-based physical line number where each row starts */
  rowLines: number[];
  /** The file the table was read from (set by parseCsv; used in conversion errors). */
  file?: string;
}

const QUOTE = 34; // "
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const BOM = 0xfeff;

const EXCERPT_MAX = 120;

/**
 * Parses CSV text. The first non-blank record is the header.
 *
 * - Quoted fields may contain the delimiter, newlines and `""` (an escaped quote).
 * - An empty unquoted field is null; a quoted empty field `""` is ''.
 * - LF and CRLF line endings; a UTF-8 BOM is stripped; blank lines (empty or only
 *   spaces/tabs) are skipped; a trailing newline is ignored.
 * - Spaces/tabs between a closing quote and the next delimiter are ignored; any
 *   other character there is an error.
 */
export function parseCsv(text: string, opts: { file: string; delimiter?: string }): CsvTable {
  const file = opts.file;
  const delimiter = opts.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new UserError(
      `invalid CSV delimiter ${JSON.stringify(delimiter)}: it must be a single character other than a quote or a newline`,
      { file },
    );
  }
  const D = delimiter.charCodeAt(0);
  const n = text.length;

  let i = n > 0 && text.charCodeAt(0) === BOM ? 1 : 0;
  let line = 1;
  /** Index of the first character of the current physical line. */
  let lineStart = i;

  let header: string[] | null = null;
  const rows: (string | null)[][] = [];
  const rowLines: number[] = [];

  while (i < n) {
    // Skip a blank line (empty, or only spaces/tabs that are not the delimiter).
    let j = i;
    while (j < n) {
      const c = text.charCodeAt(j);
      if ((c === SPACE || c === TAB) && c !== D) j++;
      else break;
    }
    if (j >= n) break; // whitespace at end of file
    const first = text.charCodeAt(j);
    if (first === LF || first === CR) {
      i = j + 1;
      if (first === CR && i < n && text.charCodeAt(i) === LF) i++;
      line++;
      lineStart = i;
      continue;
    }

    // One record, starting at i.
    const recordLine = line;
    const recordStart = i;
    const fields: (string | null)[] = [];
    for (;;) {
      if (i < n && text.charCodeAt(i) === QUOTE) {
        const quoteLine = line;
        const quoteColumn = i - lineStart + 1;
        i++;
        let value = '';
        let segStart = i;
        for (;;) {
          if (i >= n) {
            throw new UserError(
              'unterminated quoted field (missing closing ")',
              { file, line: quoteLine, column: quoteColumn },
              { excerpt: excerptAt(text, recordStart) },
            );
          }
          const ch = text.charCodeAt(i);
          if (ch === QUOTE) {
            if (i + 1 < n && text.charCodeAt(i + 1) === QUOTE) {
              value += text.slice(segStart, i + 1);
              i += 2;
              segStart = i;
              continue;
            }
            value += text.slice(segStart, i);
            i++;
            break;
          }
          if (ch === LF) {
            line++;
            lineStart = i + 1;
          } else if (ch === CR && !(i + 1 < n && text.charCodeAt(i + 1) === LF)) {
            line++;
            lineStart = i + 1;
          }
          i++;
        }
        while (i < n) {
          const ch = text.charCodeAt(i);
          if ((ch === SPACE || ch === TAB) && ch !== D) i++;
          else break;
        }
        if (i < n) {
          const ch = text.charCodeAt(i);
          if (ch !== D && ch !== LF && ch !== CR) {
            throw new UserError(
              `unexpected character ${JSON.stringify(text[i])} after a closing quote`,
              { file, line, column: i - lineStart + 1 },
              { hint: 'a quote inside a quoted field must be doubled ("")', excerpt: excerptAt(text, lineStart) },
            );
          }
        }
        fields.push(value);
      } else {
        const start = i;
        while (i < n) {
          const ch = text.charCodeAt(i);
          if (ch === D || ch === LF || ch === CR) break;
          i++;
        }
        fields.push(i === start ? null : text.slice(start, i));
      }

      if (i >= n) break;
      const ch = text.charCodeAt(i);
      i++;
      if (ch === D) continue; // next field (an empty one at end of input is null)
      // End of line.
      if (ch === CR && i < n && text.charCodeAt(i) === LF) i++;
      line++;
      lineStart = i;
      break;
    }

    if (header === null) {
      header = checkHeader(fields, file, recordLine, text, recordStart);
      continue;
    }
    if (fields.length !== header.length) {
      throw new UserError(
        `row has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${header.length} column${header.length === 1 ? '' : 's'}`,
        { file, line: recordLine },
        { excerpt: excerptAt(text, recordStart) },
      );
    }
    rows.push(fields);
    rowLines.push(recordLine);
  }

  if (header === null) {
    throw new UserError('CSV file is empty: a header row naming the columns is required', { file, line: 1 });
  }
  return { header, rows, rowLines, file };
}

function checkHeader(
  fields: (string | null)[],
  file: string,
  line: number,
  text: string,
  recordStart: number,
): string[] {
  const header: string[] = [];
  const seen = new Map<string, number>();
  for (let k = 0; k < fields.length; k++) {
    const name = (fields[k] ?? '').trim();
    if (name === '') {
      throw new UserError(
        `empty column name in the header (column ${k + 1})`,
        { file, line },
        { excerpt: excerptAt(text, recordStart) },
      );
    }
    // Column names are case-insensitive in SQL, so "id" and "ID" collide.
    const key = name.toLowerCase();
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw new UserError(
        `duplicate column name "${name}" in the header (columns ${prev + 1} and ${k + 1})`,
        { file, line },
        { excerpt: excerptAt(text, recordStart) },
      );
    }
    seen.set(key, k);
    header.push(name);
  }
  return header;
}

/** The physical line starting at `start`, shortened for an error message. */
function excerptAt(text: string, start: number): string {
  let end = start;
  const limit = Math.min(text.length, start + EXCERPT_MAX + 1);
  while (end < limit) {
    const c = text.charCodeAt(end);
    if (c === LF || c === CR) break;
    end++;
  }
  const s = text.slice(start, end);
  return s.length > EXCERPT_MAX ? s.slice(0, EXCERPT_MAX) + '…' : s;
}
