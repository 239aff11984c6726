/**
 * A small, fast RFC 4180 CSV reader for seed files, fed in pieces.
 *
 * Text arrives in chunks (a file read 1 MiB at a time) and complete records come
 * out as they are found, so a file of any size is read in constant memory. Each
 * record is parsed in one pass with charCodeAt and values are taken with slice.
 * Physical line numbers are tracked as we go so errors (and later conversion
 * errors) can point at the line where a record starts, even when earlier records
 * contain quoted newlines.
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

/** Receives one data record and the physical line it starts on. */
export type CsvRowSink = (fields: (string | null)[], line: number) => void;

const QUOTE = 34; // "
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const BOM = 0xfeff;

const EXCERPT_MAX = 120;

/**
 * Reads CSV text given in pieces. The first non-blank record is the header.
 *
 * - Quoted fields may contain the delimiter, newlines and `""` (an escaped quote).
 * - An empty unquoted field is null; a quoted empty field `""` is ''.
 * - LF and CRLF line endings; a UTF-8 BOM is stripped; blank lines (empty or only
 *   spaces/tabs) are skipped; a trailing newline is ignored.
 * - Spaces/tabs between a closing quote and the next delimiter are ignored; any
 *   other character there is an error.
 *
 * Only text up to the last line break seen is parsed until the final piece
 * arrives; a record still open there (a quoted field spanning the break) waits
 * for the next piece. So every record, and every error's excerpt, is whole.
 */
export class CsvReader {
  /** The header's column names, once its record has been read. */
  header: string[] | null = null;
  private readonly D: number;
  /** Text not parsed yet: the start of a record that continues in the next piece. */
  private buf = '';
  /** The physical line `buf` starts on. */
  private line = 1;
  private started = false;

  constructor(
    readonly file: string,
    delimiter = ',',
  ) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new UserError(`invalid CSV delimiter ${JSON.stringify(delimiter)}: it must be a single character other than a quote or a newline`, { file });
    }
    this.D = delimiter.charCodeAt(0);
  }

  /** Adds `text`; calls `onRow` for every complete data record. `final`: nothing follows. */
  push(text: string, final: boolean, onRow: CsvRowSink): void {
    if (!this.started && text.length) {
      this.started = true;
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
    }
    const buf = this.buf ? this.buf + text : text;
    const end = final ? buf.length : parseLimit(buf);
    const consumed = this.parse(buf, end, final, onRow);
    this.buf = consumed >= buf.length ? '' : buf.slice(consumed);
    if (final && this.header === null) {
      throw new UserError('CSV file is empty: a header row naming the columns is required', { file: this.file, line: 1 });
    }
  }

  /** Parses whole records of text[0, n); returns where the first unfinished one starts. */
  private parse(text: string, n: number, final: boolean, onRow: CsvRowSink): number {
    const file = this.file;
    const D = this.D;
    let i = 0;
    let line = this.line;
    /** Index of the first character of the current physical line. */
    let lineStart = 0;

    while (i < n) {
      // Skip a blank line (empty, or only spaces/tabs that are not the delimiter).
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if ((c === SPACE || c === TAB) && c !== D) j++;
        else break;
      }
      if (j >= n) {
        if (final) i = n; // whitespace at end of file
        break;
      }
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
      const recordLineStart = lineStart;
      const fields: (string | null)[] = [];
      let open = false;
      for (;;) {
        if (i < n && text.charCodeAt(i) === QUOTE) {
          const quoteLine = line;
          const quoteColumn = i - lineStart + 1;
          i++;
          let value = '';
          let segStart = i;
          for (;;) {
            if (i >= n) {
              if (!final) {
                open = true;
                break;
              }
              throw new UserError('unterminated quoted field (missing closing ")', { file, line: quoteLine, column: quoteColumn }, { excerpt: excerptAt(text, recordStart) });
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
          if (open) break;
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

      if (open) {
        // the record goes on in the next piece: parse it again from its start then
        i = recordStart;
        line = recordLine;
        lineStart = recordLineStart;
        break;
      }
      if (this.header === null) {
        this.header = checkHeader(fields, file, recordLine, text, recordStart);
        continue;
      }
      if (fields.length !== this.header.length) {
        throw new UserError(
          `row has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${this.header.length} column${this.header.length === 1 ? '' : 's'}`,
          { file, line: recordLine },
          { excerpt: excerptAt(text, recordStart) },
        );
      }
      onRow(fields, recordLine);
    }
    this.line = line;
    return i;
  }
}

/**
 * Where parsing may stop in a piece that is not the last: just after its last
 * line break. A CR at the very end is left for the next piece (an LF may follow).
 */
function parseLimit(buf: string): number {
  const lf = buf.lastIndexOf('\n');
  let cr = buf.lastIndexOf('\r');
  if (cr === buf.length - 1) cr = cr > 0 ? buf.lastIndexOf('\r', cr - 1) : -1;
  return Math.max(lf, cr) + 1;
}

/** Parses a whole CSV text (see CsvReader). */
export function parseCsv(text: string, opts: { file: string; delimiter?: string }): CsvTable {
  const reader = new CsvReader(opts.file, opts.delimiter);
  const rows: (string | null)[][] = [];
  const rowLines: number[] = [];
  reader.push(text, true, (fields, line) => {
    rows.push(fields);
    rowLines.push(line);
  });
  return { header: reader.header!, rows, rowLines, file: opts.file };
}

function checkHeader(fields: (string | null)[], file: string, line: number, text: string, recordStart: number): string[] {
  const header: string[] = [];
  const seen = new Map<string, number>();
  for (let k = 0; k < fields.length; k++) {
    const name = (fields[k] ?? '').trim();
    if (name === '') {
      throw new UserError(`empty column name in the header (column ${k + 1})`, { file, line }, { excerpt: excerptAt(text, recordStart) });
    }
    // Column names are case-insensitive in SQL, so "id" and "ID" collide.
    const key = name.toLowerCase();
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw new UserError(`duplicate column name "${name}" in the header (columns ${prev + 1} and ${k + 1})`, { file, line }, { excerpt: excerptAt(text, recordStart) });
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
