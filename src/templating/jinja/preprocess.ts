/**
 * `preprocessJinja`: the line-preserving source rewrite applied before nunjucks' lexer, for
 * differences that are lexical: Python string escapes (`\x41`, `\u00e9`, octal, line
 * continuations), the `{%+`/`+%}` whitespace toggles, `}}` that closes a dict literal,
 * `items.0` attribute indexes, `r/` read as a regex, and `1_000`/`1e3` number literals.
 */
const IDENT = /[A-Za-z0-9_]/;

function isIdentChar(ch: string | undefined): boolean {
  return ch !== undefined && IDENT.test(ch);
}

/** Python escapes for control characters nunjucks' lexer does not know. */
const CONTROL_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', v: '\v' };

/**
 * Re-encodes a Python string literal (at src[start]) for nunjucks' lexer, which only knows
 * \n \t \r. A backslash-newline (a line continuation in Python) becomes `("a" ~⏎"b")` so the
 * newline stays in the source but not in the value.
 */
function convertString(src: string, start: number): [string, number] {
  const q = src[start];
  const segments: string[] = [];
  const breaks: string[] = [];
  let out = '';
  let p = start + 1;
  const emitChar = (c: string) => {
    if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\\') out += '\\\\';
    else if (c === q) out += `\\${q}`;
    else out += c;
  };
  const finish = (): string => {
    segments.push(out);
    if (segments.length === 1) return `${q}${out}${q}`;
    return `(${segments.map((seg, i) => `${i ? breaks[i - 1] : ''}${q}${seg}${q}`).join(' ~')})`;
  };
  while (p < src.length) {
    const ch = src[p];
    if (ch === q) return [finish(), p + 1];
    if (ch !== '\\') {
      out += ch;
      p++;
      continue;
    }
    const nx = src[p + 1];
    if (nx === undefined) {
      out += '\\';
      p++;
      continue;
    }
    const hex = (n: number) => {
      const h = src.slice(p + 2, p + 2 + n);
      return new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h) ? h : undefined;
    };
    switch (nx) {
      case '\\':
      case "'":
      case '"':
      case 'n':
      case 't':
      case 'r':
        out += `\\${nx}`;
        p += 2;
        break;
      case '\n':
      case '\r': {
        const nl = nx === '\r' && src[p + 2] === '\n' ? '\r\n' : nx;
        segments.push(out);
        breaks.push(nl);
        out = '';
        p += 1 + nl.length;
        break;
      }
      case 'a':
      case 'b':
      case 'f':
      case 'v':
        emitChar(CONTROL_ESCAPES[nx]);
        p += 2;
        break;
      case 'x':
      case 'u':
      case 'U': {
        const n = nx === 'x' ? 2 : nx === 'u' ? 4 : 8;
        const h = hex(n);
        if (h === undefined) {
          out += `\\\\${nx}`;
          p += 2;
        } else {
          emitChar(String.fromCodePoint(parseInt(h, 16)));
          p += 2 + n;
        }
        break;
      }
      default: {
        const oct = /^[0-7]{1,3}/.exec(src.slice(p + 1, p + 4));
        if (oct) {
          emitChar(String.fromCodePoint(parseInt(oct[0], 8)));
          p += 1 + oct[0].length;
        } else {
          // Python keeps unknown escapes verbatim ('\d' is backslash + d).
          out += `\\\\${nx}`;
          p += 2;
        }
      }
    }
  }
  // Unterminated: a syntax error either way; leave it for nunjucks to report.
  return [src.slice(start), src.length];
}

const NUMBER_RE = /^\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?/;

/**
 * Rewrites the inside of one `{{ ... }}` / `{% ... %}` tag starting at `k` (just after the
 * opening delimiter). Returns the rewritten code including the closing delimiter.
 */
function convertTagBody(src: string, k: number, isBlock: boolean): [string, number] {
  let out = '';
  let depth = 0;
  while (k < src.length) {
    const ch = src[k];
    if (ch === '"' || ch === "'") {
      const [lit, next] = convertString(src, k);
      out += lit;
      k = next;
      continue;
    }
    if (isBlock && ch === '%' && src[k + 1] === '}') return [`${out}%}`, k + 2];
    if (isBlock && (ch === '-' || ch === '+') && src.startsWith('%}', k + 1)) return [`${out}${ch === '-' ? '-' : ' '}%}`, k + 3];
    if (ch === '}') {
      if (depth > 0) {
        depth--;
        out += '}';
        k++;
        // nunjucks' lexer would read `}}` as the end of the tag.
        if (src[k] === '}') out += ' ';
        continue;
      }
      if (src[k + 1] === '}') return [`${out}}}`, k + 2];
      out += '}';
      k++;
      continue;
    }
    if (ch === '-' && depth === 0 && src.startsWith('}}', k + 1)) return [`${out}-}}`, k + 3];
    if (ch === '{') {
      depth++;
      out += '{';
      k++;
      continue;
    }
    if (ch === '.' && /[0-9]/.test(src[k + 1] ?? '') && /[A-Za-z0-9_)\]]/.test(src[k - 1] ?? '')) {
      // `items.0` (Jinja integer attribute) -> `items[0]`; nunjucks' lexer reads `.0` as a float.
      const digits = /^\d+/.exec(src.slice(k + 1))?.[0] ?? '';
      out += `[${digits}]`;
      k += 1 + digits.length;
      continue;
    }
    if (ch === 'r' && src[k + 1] === '/' && !isIdentChar(src[k - 1])) {
      // nunjucks reads `r/.../` as a regex literal; Jinja has none (`r / x` is division).
      out += 'r /';
      k += 2;
      continue;
    }
    if (ch >= '0' && ch <= '9' && !isIdentChar(src[k - 1]) && src[k - 1] !== '.') {
      const m = NUMBER_RE.exec(src.slice(k, k + 80));
      if (m && !isIdentChar(src[k + m[0].length]) && /[_eE]/.test(m[0])) {
        const v = Number(m[0].replace(/_/g, ''));
        const text = String(v);
        if (Number.isFinite(v) && !/e/i.test(text)) {
          out += text;
          k += m[0].length;
          continue;
        }
      }
      if (m) {
        out += m[0];
        k += m[0].length;
        continue;
      }
    }
    out += ch;
    k++;
  }
  return [out, k];
}

const RAW_OPEN = /\s*(raw|verbatim)\s*([-+]?)%\}/y;

/**
 * Source-level rewrite applied to every template (models, macros, hooks) before nunjucks
 * compiles it. Must preserve line numbers exactly (never add or remove newlines) so error
 * lines stay right.
 *
 * Only the inside of `{{ }}` / `{% %}` tags is changed (never SQL text, comments or
 * `{% raw %}` content): Python string escapes are re-encoded for nunjucks, `{%+`, `{{+`
 * and `+%}` (Jinja's lstrip/trim toggles, no-ops without lstrip_blocks/trim_blocks) become
 * plain delimiters, `}}` that closes a dict literal is split so it doesn't end the tag,
 * `r/` is spaced so it isn't read as a regex, and `1_000` / `1e3` become plain numbers.
 */
export function preprocessJinja(source: string): string {
  let out = '';
  let i = 0;
  const n = source.length;
  while (i < n) {
    const j = source.indexOf('{', i);
    if (j < 0) {
      out += source.slice(i);
      break;
    }
    out += source.slice(i, j);
    const c = source[j + 1];
    if (c === '#') {
      const end = source.indexOf('#}', j + 2);
      const stop = end < 0 ? n : end + 2;
      out += source.slice(j, stop);
      i = stop;
      continue;
    }
    if (c !== '%' && c !== '{') {
      out += '{';
      i = j + 1;
      continue;
    }
    const isBlock = c === '%';
    let k = j + 2;
    let head = source.slice(j, k);
    if (source[k] === '+') {
      head += ' ';
      k++;
    } else if (source[k] === '-') {
      head += '-';
      k++;
    }
    if (isBlock) {
      RAW_OPEN.lastIndex = k;
      const raw = RAW_OPEN.exec(source);
      if (raw) {
        const tagEnd = RAW_OPEN.lastIndex;
        out += head + source.slice(k, tagEnd - 2 - raw[2].length) + (raw[2] === '-' ? '-' : raw[2] ? ' ' : '') + '%}';
        const closeRe = new RegExp(`\\{%([-+]?)(\\s*end${raw[1]}\\s*)([-+]?)%\\}`, 'g');
        closeRe.lastIndex = tagEnd;
        const close = closeRe.exec(source);
        if (!close) {
          out += source.slice(tagEnd);
          break;
        }
        out += source.slice(tagEnd, close.index);
        const mod = (s: string) => (s === '-' ? '-' : s === '+' ? ' ' : '');
        out += `{%${mod(close[1])}${close[2]}${mod(close[3])}%}`;
        i = close.index + close[0].length;
        continue;
      }
    }
    const [body, next] = convertTagBody(source, k, isBlock);
    out += head + body;
    i = next;
  }
  return out;
}
