/**
 * A statement the warehouse refused, told at the line of the model that wrote it:
 *
 *   models/orders.sql:7: Binder Error: Referenced column "amout" not found in FROM clause!
 *     7 |   sum(amout) as total
 *       |       ^
 *
 * The engine gives a position in the statement sent (see adapters/error-position.ts); the
 * node's compiled select is found in that statement (the DDL around it — create table … as,
 * insert, merge — is the materialization's), and the position is walked back through the
 * select to the template's line (compiler/line-map.ts). An error with no position, or with
 * one outside the node's own SQL, keeps its message as it is.
 */
import type { Dialect } from '../adapters/types.js';
import { placeInCode, type CodeMap, type FilePlace } from '../compiler/line-map.js';
import { charWidth } from '../util/display-width.js';

/** The statement each error was raised by (noted where statements are sent: materializeContext). */
const statementOf = new WeakMap<object, string>();

/** Notes that `error` came from `sql` (the first note wins: the innermost statement). */
export function noteStatement(error: unknown, sql: string): void {
  if (error && typeof error === 'object' && !statementOf.has(error)) statementOf.set(error, sql);
}

/** Sends `sql` with `send`, noting the statement on what it throws. */
export async function sendNoted<T>(sql: string, send: (sql: string) => Promise<T>): Promise<T> {
  try {
    return await send(sql);
  } catch (e) {
    noteStatement(e, sql);
    throw e;
  }
}

/** A node's compiled select, and where its text came from. */
export interface MappedCode {
  compiledCode?: string;
  sourceMap?: CodeMap;
}

/** `file:line: <engine message>` and the line with a caret, when the error's place is in the node's own SQL. */
export function placedFailure(error: unknown, node: MappedCode, dialect: Dialect): string | undefined {
  const statement = error && typeof error === 'object' ? statementOf.get(error) : undefined;
  const code = node.compiledCode;
  if (!statement || !code || !node.sourceMap || !dialect.errorPosition) return undefined;
  const found = dialect.errorPosition(error, statement);
  if (!found) return undefined;
  const offset = offsetInCode(statement, code, found.offset);
  if (offset === undefined) return undefined;
  const place = placeInCode(node.sourceMap, offset);
  if (!place) return undefined;
  return [`${place.file}:${place.line}: ${firstLines(found.message)}`, ...excerpt(place)].join('\n');
}

/**
 * The offset in `code` of position `at` of the statement, when it falls in the select. A
 * place just after it (only blanks before the wrapper's closing parenthesis, where a select
 * that ends too early is noticed) is its last character.
 */
function offsetInCode(statement: string, code: string, at: number): number | undefined {
  for (let start = statement.indexOf(code); start >= 0 && start <= at; start = statement.indexOf(code, start + 1)) {
    const end = start + code.length;
    if (at < end) return at - start;
    if (/^\s*$/.test(statement.slice(end, at)) && code.length) return code.length - 1;
  }
  return undefined;
}

/** An error message as one line for a node's result: its first three non-empty lines, joined. */
export function firstLines(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 3)
    .join(' ');
}

/** Characters of a long line shown either side of the place. */
const AROUND = 60;

/** The model's line under the message (around the place, when it is long), and a caret under the column when it is known. */
function excerpt(place: FilePlace): string[] {
  const gutter = String(place.line);
  let text = place.lineText;
  let column = place.column;
  if (text.length > 2 * AROUND + 20) {
    const at = (column ?? 1) - 1;
    const from = Math.max(0, at - AROUND);
    const to = Math.min(text.length, at + AROUND);
    text = `${from ? '...' : ''}${text.slice(from, to)}${to < text.length ? '...' : ''}`;
    if (column !== undefined) column = column - from + (from ? 3 : 0);
  }
  const out = [`  ${gutter} | ${text}`];
  if (column !== undefined) {
    // tabs stay tabs and wide characters take two columns, so the caret lines up on a terminal
    const pad = [...text.slice(0, column - 1)].map((ch) => (ch === '\t' ? ch : ' '.repeat(charWidth(ch)))).join('');
    out.push(`  ${' '.repeat(gutter.length)} | ${pad}^`);
  }
  return out;
}
