/**
 * A small SQL tokenizer for the Redshift stand-in (test-only). It knows just
 * enough of the lexical structure (strings, quoted identifiers, dollar quotes,
 * comments, `::`) that rewrites never touch text inside literals, identifiers
 * or comments. Concatenating the `text` of every token gives back the input.
 */

export type TokenType =
  | 'ws' // whitespace
  | 'comment' // -- … or /* … */
  | 'string' // '…', E'…', U&'…', X'…', B'…', N'…'
  | 'dollar' // $tag$ … $tag$
  | 'ident' // "quoted identifier"
  | 'word' // keyword or unquoted identifier
  | 'number'
  | 'param' // $1
  | 'op'; // punctuation and operators (`::` is one token)

export interface Token {
  type: TokenType;
  text: string;
  start: number;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  const push = (type: TokenType, end: number) => {
    out.push({ type, text: sql.slice(i, end), start: i });
    i = end;
  };
  const quoted = (from: number, quote: string, backslash: boolean): number => {
    // from: index of the opening quote; returns the index after the closing quote
    let j = from + 1;
    while (j < n) {
      const c = sql[j];
      if (backslash && c === '\\') {
        j += 2;
        continue;
      }
      if (c === quote) {
        if (sql[j + 1] === quote) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
    return n;
  };
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      let j = i + 1;
      while (j < n && /\s/.test(sql[j])) j++;
      push('ws', j);
    } else if (c === '-' && next === '-') {
      const j = sql.indexOf('\n', i);
      push('comment', j < 0 ? n : j);
    } else if (c === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] === '/' && sql[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (sql[j] === '*' && sql[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      push('comment', j);
    } else if (c === "'") {
      // Redshift string literals take backslash escapes (standard_conforming_strings off)
      push('string', quoted(i, "'", true));
    } else if (c === '"') {
      push('ident', quoted(i, '"', false));
    } else if ((c === 'E' || c === 'e') && next === "'") {
      push('string', quoted(i + 1, "'", true));
    } else if ((c === 'U' || c === 'u') && next === '&' && sql[i + 2] === "'") {
      push('string', quoted(i + 2, "'", false));
    } else if (/[XxBbNn]/.test(c) && next === "'") {
      push('string', quoted(i + 1, "'", false));
    } else if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (m) {
        const tag = m[0];
        const close = sql.indexOf(tag, i + tag.length);
        push('dollar', close < 0 ? n : close + tag.length);
      } else if (/[0-9]/.test(next ?? '')) {
        let j = i + 1;
        while (j < n && /[0-9]/.test(sql[j])) j++;
        push('param', j);
      } else push('op', i + 1);
    } else if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < n && WORD_PART.test(sql[j])) j++;
      push('word', j);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next ?? ''))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(sql.slice(i));
      push('number', i + (m ? m[0].length : 1));
    } else if (c === ':' && next === ':') {
      push('op', i + 2);
    } else {
      push('op', i + 1);
    }
  }
  return out;
}

export const isTrivia = (t: Token): boolean => t.type === 'ws' || t.type === 'comment';

/** Lower-cased text of a word token ('' for any other token). */
export const kw = (t: Token | undefined): string => (t && t.type === 'word' ? t.text.toLowerCase() : '');

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Backslash escapes as Redshift (and PostgreSQL's E'' strings) read them. */
function unescapeBackslashes(body: string): string {
  return body.replace(/\\(x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|[\s\S])/g, (_m, e: string) => {
    if (/^x[0-9A-Fa-f]/.test(e)) return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return SIMPLE_ESCAPES[e] ?? e;
  });
}

/** The value of a string literal token as Redshift reads it ('it''s' and 'it\'s' → it's). */
export function unquoteString(text: string): string {
  if (/^[Uu]&'/.test(text)) return text.slice(3, -1).replace(/''/g, "'");
  const body = text.replace(/^[A-Za-z]*'/, '');
  const inner = body.slice(0, body.endsWith("'") ? -1 : undefined);
  if (/^[XxBb]'/.test(text)) return inner;
  return unescapeBackslashes(inner.replace(/''/g, "'"));
}

export const quoteString = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** A literal that means `value` whatever standard_conforming_strings is: E'…' with backslashes doubled. */
export const quoteStringE = (value: string): string => `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The name an identifier token stands for: quoted as written, unquoted folded to lower case. */
export function identName(t: Token): string {
  if (t.type === 'ident') return t.text.slice(1, -1).replace(/""/g, '"');
  return t.text.toLowerCase();
}

/** Splits SQL text into statements at top-level semicolons; empty statements are dropped. */
export function splitStatements(sql: string): string[] {
  const tokens = tokenize(sql);
  const out: string[] = [];
  let current: Token[] = [];
  let depth = 0;
  const flush = () => {
    if (current.some((t) => !isTrivia(t))) out.push(current.map((t) => t.text).join('').trim());
    current = [];
  };
  for (const t of tokens) {
    if (t.type === 'op' && t.text === '(') depth++;
    if (t.type === 'op' && t.text === ')') depth = Math.max(0, depth - 1);
    if (t.type === 'op' && t.text === ';' && depth === 0) {
      flush();
      continue;
    }
    current.push(t);
  }
  flush();
  return out;
}

/** A cursor over the significant (non-trivia) tokens of a statement. */
export class Cursor {
  readonly sig: Token[];
  pos = 0;

  constructor(readonly tokens: Token[]) {
    this.sig = tokens.filter((t) => !isTrivia(t));
  }

  peek(offset = 0): Token | undefined {
    return this.sig[this.pos + offset];
  }

  peekKw(offset = 0): string {
    return kw(this.peek(offset));
  }

  next(): Token | undefined {
    return this.sig[this.pos++];
  }

  atEnd(): boolean {
    return this.pos >= this.sig.length;
  }

  /** Consumes the keywords if they come next (all of them), else consumes nothing. */
  accept(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (this.peekKw(k) !== words[k]) return false;
    this.pos += words.length;
    return true;
  }

  acceptOp(op: string): boolean {
    const t = this.peek();
    if (t && t.type === 'op' && t.text === op) {
      this.pos++;
      return true;
    }
    return false;
  }

  expect(...words: string[]): void {
    if (!this.accept(...words)) throw new SyntaxError(`expected ${words.join(' ').toUpperCase()} near ${this.describeHere()}`);
  }

  expectOp(op: string): void {
    if (!this.acceptOp(op)) throw new SyntaxError(`expected "${op}" near ${this.describeHere()}`);
  }

  expectString(): string {
    const t = this.next();
    if (!t || t.type !== 'string') throw new SyntaxError(`expected a string literal near ${t ? `"${t.text}"` : 'end of input'}`);
    return unquoteString(t.text);
  }

  /** An identifier (quoted or not). */
  expectIdent(): string {
    const t = this.next();
    if (!t || (t.type !== 'ident' && t.type !== 'word')) throw new SyntaxError(`expected an identifier near ${t ? `"${t.text}"` : 'end of input'}`);
    return identName(t);
  }

  /** A possibly qualified name: name, schema.name or database.schema.name. */
  expectQualifiedName(): QualifiedName {
    const parts = [this.expectIdent()];
    while (this.peek()?.type === 'op' && this.peek()?.text === '.') {
      this.pos++;
      parts.push(this.expectIdent());
    }
    if (parts.length > 3) throw new SyntaxError(`improper qualified name (too many dotted names): ${parts.join('.')}`);
    const name = parts[parts.length - 1];
    const schema = parts.length >= 2 ? parts[parts.length - 2] : undefined;
    const database = parts.length === 3 ? parts[0] : undefined;
    return { database, schema, name };
  }

  /** Source text of the significant tokens from index `from` (inclusive) to `to` (exclusive), with the trivia between them. */
  textBetween(from: number, to: number): string {
    if (from >= to) return '';
    const a = this.sig[from];
    const b = this.sig[to - 1];
    const startIdx = this.tokens.indexOf(a);
    const endIdx = this.tokens.indexOf(b);
    return this.tokens
      .slice(startIdx, endIdx + 1)
      .map((t) => t.text)
      .join('');
  }

  /** Index (in sig) of the token closing the parenthesis opened at sig[open]. */
  matchParen(open: number): number {
    let depth = 0;
    for (let k = open; k < this.sig.length; k++) {
      const t = this.sig[k];
      if (t.type !== 'op') continue;
      if (t.text === '(') depth++;
      else if (t.text === ')') {
        depth--;
        if (depth === 0) return k;
      }
    }
    throw new SyntaxError('unbalanced parentheses');
  }

  describeHere(): string {
    const t = this.peek();
    return t ? `"${t.text}"` : 'end of input';
  }
}

export interface QualifiedName {
  database?: string;
  schema?: string;
  name: string;
}

export function renderName(q: QualifiedName): string {
  return [q.schema, q.name]
    .filter((p): p is string => p !== undefined)
    .map(quoteIdent)
    .join('.');
}
