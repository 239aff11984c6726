/**
 * DuckDB errors → Snowflake's error codes and message shapes (test-only stand-in).
 */
import { SfError } from './engine-types.js';
import { significant, tokenize, type Token } from './sql-lexer.js';

export const compilation = (msg: string) => `SQL compilation error:\n${msg}`;

export function objectMissing(name: string, what = 'Object'): SfError {
  return new SfError('002003', compilation(`${what} '${name}' does not exist or not authorized.`), '42S02');
}

export function alreadyExists(name: string, as?: string): SfError {
  return new SfError('002002', compilation(`Object '${name}' already exists${as ? ` as ${as}` : ''}.`), '42710');
}

export function canceled(): SfError {
  return new SfError('000604', 'SQL execution canceled', '57014');
}

/** The qualified name as the statement wrote it whose last part is `last` (Snowflake echoes it). */
function writtenName(sql: string, last: string): string {
  const toks = significant(tokenize(sql));
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if ((t.type === 'word' || t.type === 'ident') && t.value.toUpperCase() === last.toUpperCase()) {
      const parts = [t.value];
      let j = i - 1;
      while (j >= 1 && toks[j].text === '.' && (toks[j - 1].type === 'word' || toks[j - 1].type === 'ident')) {
        parts.unshift(toks[j - 1].value);
        j -= 2;
      }
      return parts.join('.');
    }
  }
  return last;
}

/**
 * Where Snowflake would say the error is: line and 0-based position in the statement as the
 * client sent it. DuckDB points into the statement the stand-in ran (translated, and
 * rebuilt around CREATE … AS), so the token it points at is found again in the statement
 * received: the same word (folded) at the same occurrence. Without that statement, DuckDB's
 * own line and column.
 */
function position(message: string, e: unknown, sql: string): { line: number; pos: number } {
  const m = /LINE (\d+): (.*)\n( *)\^/.exec(message);
  if (!m) return { line: 1, pos: 0 };
  const line = Number(m[1]);
  const pos = Math.max(0, m[3].length - `LINE ${m[1]}: `.length - (m[2].startsWith('...') ? 3 : 0));
  const ran = (e as { duckSql?: string })?.duckSql;
  const found = ran === undefined ? undefined : sameTokenIn(ran, line, pos, m[2].replace(/^\.\.\./, ''), sql);
  return found ?? { line, pos };
}

/** The token at (line, pos) of `ran` (whose line shows `shown` there), found again in `sql`: its line and position. */
function sameTokenIn(ran: string, line: number, pos: number, shown: string, sql: string): { line: number; pos: number } | undefined {
  const lines = ran.split(/\r\n?|\n/);
  const text = lines[line - 1];
  if (text === undefined) return undefined;
  const from = text.indexOf(shown.replace(/\.\.\.$/, ''));
  if (from < 0) return undefined;
  let offset = from + pos;
  for (let k = 0; k < line - 1; k++) offset += lines[k].length + 1;
  const key = (t: Token) => (t.type === 'word' || t.type === 'ident' ? `w:${t.value}` : t.type === 'op' ? `o:${t.text}` : undefined);
  const ranTokens = tokenize(ran);
  const at = ranTokens.find((t) => offset >= t.start && offset < t.start + t.text.length && t.type !== 'ws');
  const k = at && key(at);
  if (!k) return undefined;
  const nth = ranTokens.filter((t) => key(t) === k && t.start <= at.start).length;
  const target = tokenize(sql).filter((t) => key(t) === k)[nth - 1];
  if (!target) return undefined;
  const before = sql.slice(0, target.start);
  const nl = before.lastIndexOf('\n');
  return { line: before.split('\n').length, pos: target.start - (nl + 1) };
}

export function mapDuckDBError(e: unknown, sql: string): SfError {
  if (e instanceof SfError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const first = message.split('\n')[0];
  let m: RegExpExecArray | null;
  if (/^INTERRUPT Error/.test(first)) return canceled();
  if (/Division by zero/i.test(first)) return new SfError('100051', 'Division by zero', '22012');
  if ((m = /^Parser Error: syntax error at (?:or near "(.*)"|end of input)/.exec(first))) {
    const { line, pos } = position(message, e, sql);
    const near = m[1] === undefined ? "unexpected '<EOF>'" : `unexpected '${m[1]}'`;
    return new SfError('001003', compilation(`syntax error line ${line} at position ${pos} ${near}.`), '42000');
  }
  if (/^Parser Error/.test(first)) return new SfError('001003', compilation(first.replace(/^Parser Error: /, '')), '42000');
  if ((m = /Table with name "?([^"!]+?)"? does not exist because schema "?([^"]+?)"? does not exist/.exec(first))) {
    const written = writtenName(sql, m[1].split('.').pop() ?? m[1]).split('.');
    return objectMissing(written.slice(0, -1).join('.') || m[2], 'Schema');
  }
  if ((m = /(?:Table|View|Table Function) with name "?([^"!]+?)"? does not exist/.exec(first))) {
    return objectMissing(writtenName(sql, m[1]));
  }
  if ((m = /Catalog "([^"]+)" does not exist/.exec(first))) return objectMissing(m[1], 'Database');
  if ((m = /Schema with name "?([^"!]+?)"? does not exist/.exec(first))) return objectMissing(writtenName(sql, m[1]), 'Schema');
  if (
    (m = /Referenced column "([^"]+)" not found/.exec(first)) ||
    (m = /does not have a column named "([^"]+)"/.exec(first)) ||
    (m = /Referenced table "([^"]+)" not found/.exec(first))
  ) {
    const { line, pos } = position(message, e, sql);
    return new SfError('000904', compilation(`error line ${line} at position ${pos}\ninvalid identifier '${m[1]}'`), '42000');
  }
  if ((m = /Existing object "?([^" ]+)"? is of type (\w+), trying to (?:replace|create) with type/.exec(first))) {
    return alreadyExists(m[1], m[2].toUpperCase());
  }
  if ((m = /with name "?([^"]+?)"? already exists/.exec(first))) return alreadyExists(m[1]);
  if ((m = /Could not convert string ['"](.*)['"] to (\w+)/.exec(first))) {
    const target = m[2].toUpperCase();
    if (target === 'DATE') return new SfError('100040', `Date '${m[1]}' is not recognized`, '22007');
    if (target.startsWith('TIMESTAMP')) return new SfError('100035', `Timestamp '${m[1]}' is not recognized`, '22007');
    if (target === 'BOOL' || target === 'BOOLEAN') return new SfError('100037', `Boolean value '${m[1]}' is not recognized`, '22018');
    return new SfError('100038', `Numeric value '${m[1]}' is not recognized`, '22018');
  }
  if (/^Conversion Error: .*out of range/.test(first)) return new SfError('100039', `Numeric value out of range`, '22003');
  if (/NOT NULL constraint failed/.test(first)) return new SfError('100072', 'NULL result in a non-nullable column', '22000');
  if (/Duplicate key/.test(first)) return new SfError('100116', first, '23000');
  if (/^Binder Error/.test(first)) return new SfError('002140', compilation(first.replace(/^Binder Error: /, '')), '42601');
  return new SfError('000603', first, 'XX000');
}
