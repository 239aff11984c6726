/**
 * A small tokenizer for Snowflake SQL (test-only stand-in). It knows the
 * lexical structure Snowflake has — '…' strings with backslash escapes,
 * $$…$$ strings, "quoted identifiers", -- // and /* comments, `::`, binds
 * (`?`, `:1`), stage references (`@name/path`, `@~`, `@%t`) and identifiers
 * containing `$` — so that rewrites never touch text inside literals,
 * identifiers or comments. Concatenating every token's `text` gives the input.
 */

export type TokenType =
  | 'ws'
  | 'comment'
  | 'string' // '…' (value holds the decoded text)
  | 'dollar' // $$…$$ (value holds the text)
  | 'ident' // "quoted identifier" (value holds the exact name)
  | 'word' // keyword or unquoted identifier (value holds the upper-case fold)
  | 'number'
  | 'param' // ? or :1
  | 'stage' // @stage/path
  | 'op';

export interface Token {
  type: TokenType;
  /** the source text */
  text: string;
  /** decoded value: string contents, identifier name, upper-cased word */
  value: string;
  /** offset of the token in the input */
  start: number;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

function decodeSnowflakeString(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "'" && body[i + 1] === "'") {
      out += "'";
      i++;
    } else if (c === '\\' && i + 1 < body.length) {
      const e = body[++i];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case '0': out += '\0'; break;
        case 'x': {
          const hex = body.slice(i + 1, i + 3);
          if (/^[0-9a-fA-F]{2}$/.test(hex)) {
            out += String.fromCharCode(parseInt(hex, 16));
            i += 2;
          } else out += 'x';
          break;
        }
        case 'u': {
          const hex = body.slice(i + 1, i + 5);
          if (/^[0-9a-fA-F]{4}$/.test(hex)) {
            out += String.fromCharCode(parseInt(hex, 16));
            i += 4;
          } else out += 'u';
          break;
        }
        default: out += e;
      }
    } else out += c;
  }
  return out;
}

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  const push = (type: TokenType, end: number, value?: string) => {
    const text = sql.slice(i, end);
    out.push({ type, text, value: value ?? text, start: i });
    i = end;
  };
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      let j = i + 1;
      while (j < n && /\s/.test(sql[j])) j++;
      push('ws', j);
    } else if ((c === '-' && next === '-') || (c === '/' && next === '/')) {
      const j = sql.indexOf('\n', i);
      push('comment', j < 0 ? n : j);
    } else if (c === '/' && next === '*') {
      const j = sql.indexOf('*/', i + 2);
      push('comment', j < 0 ? n : j + 2);
    } else if (c === "'") {
      let j = i + 1;
      while (j < n) {
        if (sql[j] === '\\') j += 2;
        else if (sql[j] === "'" && sql[j + 1] === "'") j += 2;
        else if (sql[j] === "'") break;
        else j++;
      }
      const end = Math.min(j + 1, n);
      push('string', end, decodeSnowflakeString(sql.slice(i + 1, j)));
    } else if (c === '$' && next === '$') {
      const j = sql.indexOf('$$', i + 2);
      const end = j < 0 ? n : j + 2;
      push('dollar', end, sql.slice(i + 2, j < 0 ? n : j));
    } else if (c === '"') {
      let j = i + 1;
      while (j < n) {
        if (sql[j] === '"' && sql[j + 1] === '"') j += 2;
        else if (sql[j] === '"') break;
        else j++;
      }
      push('ident', Math.min(j + 1, n), sql.slice(i + 1, j).replace(/""/g, '"'));
    } else if (c === '@') {
      // a stage reference runs to whitespace, ')', ',' or ';' (quoted parts may hold anything)
      let j = i + 1;
      while (j < n && !/[\s),;]/.test(sql[j])) {
        if (sql[j] === '"') {
          j++;
          while (j < n && !(sql[j] === '"' && sql[j + 1] !== '"')) j += sql[j] === '"' ? 2 : 1;
          j++;
        } else j++;
      }
      push('stage', j);
    } else if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < n && WORD_PART.test(sql[j])) j++;
      push('word', j, sql.slice(i, j).toUpperCase());
    } else if (/[0-9]/.test(c) || (c === '.' && next !== undefined && /[0-9]/.test(next))) {
      let j = i;
      while (j < n && /[0-9]/.test(sql[j])) j++;
      if (sql[j] === '.') {
        j++;
        while (j < n && /[0-9]/.test(sql[j])) j++;
      }
      if ((sql[j] === 'e' || sql[j] === 'E') && /[-+0-9]/.test(sql[j + 1] ?? '')) {
        j += 2;
        while (j < n && /[0-9]/.test(sql[j])) j++;
      }
      push('number', j);
    } else if (c === '?') {
      push('param', i + 1);
    } else if (c === ':' && next === ':') {
      push('op', i + 2);
    } else if (c === ':' && next !== undefined && /[0-9]/.test(next)) {
      let j = i + 1;
      while (j < n && /[0-9]/.test(sql[j])) j++;
      push('param', j);
    } else {
      const two = sql.slice(i, i + 2);
      if (['<=', '>=', '<>', '!=', '||', '=>', '->'].includes(two)) push('op', i + 2);
      else push('op', i + 1);
    }
  }
  return out;
}

/** Significant tokens only (no whitespace or comments). */
export function significant(tokens: Token[]): Token[] {
  return tokens.filter((t) => t.type !== 'ws' && t.type !== 'comment');
}

/** Splits a script into statements at top-level `;` (empty statements dropped). */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const t of tokenize(sql)) {
    if (t.type === 'op' && t.text === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += t.text;
  }
  if (significant(tokenize(cur)).length) out.push(cur.trim());
  return out;
}

/** A DuckDB string literal. */
export function quoteString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A quoted identifier. */
export function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** An identifier token's name as Snowflake resolves it (unquoted: upper case). */
export function identName(t: Token): string {
  return t.type === 'ident' ? t.value : t.value;
}
