/**
 * Where in the statement it was sent a warehouse says a statement went wrong. Each engine
 * says it its own way (DuckDB: `LINE n:` and a caret under the line; PostgreSQL and Redshift:
 * the error's `position` field; Snowflake: `line n at position m` in the message); each
 * dialect reads its engine's form with one of these functions. The answer is an offset into
 * the statement, which src/execution/failure-place.ts maps back to the model's line.
 */
import { charWidth } from '../util/display-width.js';

/** A place in a statement, and the engine's message without its own rendering of that place. */
export interface StatementPosition {
  /** 0-based UTF-16 offset into the statement sent */
  offset: number;
  message: string;
}

export function errorMessage(e: unknown): string {
  return String((e as { message?: unknown })?.message ?? e);
}

/** Offset of the start of 0-based line `line`, lines ending at each match of `breaks` (a global regex); undefined past the end. */
function lineStart(text: string, line: number, breaks: RegExp): number | undefined {
  let at = 0;
  for (let n = 0; n < line; n++) {
    breaks.lastIndex = at;
    const m = breaks.exec(text);
    if (!m) return undefined;
    at = m.index + m[0].length;
  }
  return at;
}

/** The text of the line starting at `start` (up to any line break). */
function lineAt(text: string, start: number): string {
  const end = text.slice(start).search(/[\r\n]/);
  return end < 0 ? text.slice(start) : text.slice(start, start + end);
}

/**
 * DuckDB: the message ends with `LINE n: <the line, or 40 columns either side of the place,
 * marked by "...">` and a line with a caret under the place, measured in display columns.
 * A CRLF is one line break. The line shown must be found in the
 * statement, else the place is not trusted.
 */
export function duckdbErrorPosition(e: unknown, statement: string): StatementPosition | undefined {
  const text = errorMessage(e);
  const m = /\n?\n?(LINE (\d+): )(.*)\n( *)\^[ \t]*$/.exec(text);
  if (!m) return undefined;
  const start = lineStart(statement, Number(m[2]) - 1, /\r\n?|\n/g);
  if (start === undefined) return undefined;
  const line = lineAt(statement, start);
  const shown = m[3];
  let caret = m[4].length - m[1].length;
  let from = 0;
  const untrimmed = (body: string) => (line.includes(body) ? body : body.endsWith('...') ? body.slice(0, -3) : body);
  if (!line.startsWith(untrimmed(shown))) {
    // the start of a long line is cut and marked with "..."
    if (!shown.startsWith('...')) return undefined;
    caret -= 3;
    from = line.indexOf(untrimmed(shown.slice(3)));
  }
  if (from < 0 || caret < 0) return undefined;
  const column = columnAtWidth(line.slice(from), caret);
  return { offset: start + from + column, message: text.slice(0, m.index).trimEnd() };
}

/**
 * The UTF-16 index in `s` of the character at display width `width`, as DuckDB measures it
 * (wide characters take 2 columns; combining marks and control characters such as tabs none).
 * A place is where a token starts, never on a character of no width.
 */
function columnAtWidth(s: string, width: number): number {
  let w = 0;
  let i = 0;
  for (const ch of s) {
    const cw = /[\x00-\x1f]/.test(ch) ? 0 : charWidth(ch);
    if (w >= width && cw > 0) break;
    w += cw;
    i += ch.length;
  }
  return i;
}

/** PostgreSQL (and Redshift over its wire protocol): the error's `position`, a 1-based count of characters. */
export function postgresErrorPosition(e: unknown, statement: string): StatementPosition | undefined {
  const position = Number((e as { position?: unknown })?.position);
  if (!Number.isInteger(position) || position < 1) return undefined;
  let offset = 0;
  for (let n = 1; n < position; n++) {
    if (offset >= statement.length) return undefined;
    offset += (statement.codePointAt(offset) ?? 0) > 0xffff ? 2 : 1;
  }
  if (offset >= statement.length) return undefined;
  const message = errorMessage(e);
  const named = /at or near "([^"]*)"|column "([^"]+)" does not exist/.exec(message);
  return !named || tokenAt(statement, offset, named[1] ?? named[2]) ? { offset, message } : undefined;
}

/**
 * Whether the statement at `offset` starts with `token`, case and double quotes aside: the
 * place a message names (`at or near "x"`, `invalid identifier 'X'`) must be where its
 * position points, or the position is not about this statement.
 */
function tokenAt(statement: string, offset: number, token: string): boolean {
  const want = token.replace(/"/g, '').toUpperCase();
  const have = statement.slice(offset, offset + 2 * token.length + 2).replace(/"/g, '').toUpperCase();
  return have.startsWith(want);
}

/** Snowflake: `… line n at position m …` in the message, m a 0-based column of line n. */
export function snowflakeErrorPosition(e: unknown, statement: string): StatementPosition | undefined {
  const text = errorMessage(e);
  const m = /\bline (\d+) at position (\d+)\b/.exec(text);
  if (!m) return undefined;
  const start = lineStart(statement, Number(m[1]) - 1, /\n/g);
  if (start === undefined) return undefined;
  const column = Number(m[2]);
  if (column > lineAt(statement, start).length) return undefined;
  const named = /invalid identifier '([^']+)'|unexpected '([^']+)'/.exec(text);
  const token = named?.[1] ?? named?.[2];
  if (token && token !== '<EOF>' && !tokenAt(statement, start + column, token)) return undefined;
  return { offset: start + column, message: text };
}
