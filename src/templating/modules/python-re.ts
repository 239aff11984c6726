/**
 * dbt's `modules.re`: Python's `re` over JavaScript regular expressions. Patterns are
 * translated for the syntax the two spell differently (`(?P<name>…)`, `(?P=name)`, leading
 * inline flags such as `(?i)`, `\A`, `\Z`, verbose mode); replacements take Python's `\1`,
 * `\g<1>` and `\g<name>`. Match objects have `group`, `groups`, `groupdict`, `start`, `end`
 * and `span`.
 */
import { bindArgs } from '../jinja/python-args.js';
import { makeTuple, pyError } from '../jinja/python-values.js';

const FLAGS = { I: 2, IGNORECASE: 2, M: 8, MULTILINE: 8, S: 16, DOTALL: 16, X: 64, VERBOSE: 64, A: 256, ASCII: 256, U: 32, UNICODE: 32 };

/** Strips a verbose pattern's whitespace and `#` comments (outside character classes and escapes). */
function stripVerbose(p: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      out += c + (p[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else if (c === '#') {
      while (i < p.length && p[i] !== '\n') i++;
    } else if (!/\s/.test(c)) out += c;
  }
  return out;
}

/** A JavaScript RegExp for a Python pattern and flags (`extra` adds JS flags such as 'g' or 'y'). */
function toRegExp(pattern: unknown, flags: unknown, extra = ''): RegExp {
  if (pattern instanceof RegExp) return new RegExp(pattern.source, [...new Set(pattern.flags.replace(/[gy]/g, '') + extra)].join(''));
  if (isCompiled(pattern)) return toRegExp(pattern.regex, 0, extra);
  let p = String(pattern);
  let f = typeof flags === 'number' ? flags : 0;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(p);
  if (inline) {
    p = p.slice(inline[0].length);
    for (const ch of inline[1]) f |= ({ i: 2, m: 8, s: 16, x: 64 } as Record<string, number>)[ch] ?? 0;
  }
  if (f & 64) p = stripVerbose(p);
  p = p
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '(?![\\s\\S])');
  let js = extra;
  if (f & 2) js += 'i';
  if (f & 8) js += 'm';
  if (f & 16) js += 's';
  try {
    return new RegExp(p, js);
  } catch (e) {
    throw pyError('re.error', `${(e as Error).message}`);
  }
}

interface Compiled {
  pattern: string;
  regex: RegExp;
}
const COMPILED = new WeakSet<object>();
function isCompiled(v: unknown): v is Compiled {
  return typeof v === 'object' && v !== null && COMPILED.has(v);
}

/** A Python match object. */
function matchObject(m: RegExpExecArray, string: string): Record<string, unknown> {
  const groupAt = (g: unknown): string | null => {
    const v = typeof g === 'string' ? m.groups?.[g] : m[Number(g ?? 0)];
    if (typeof g === 'number' && g > m.length - 1) throw pyError('IndexError', 'no such group');
    return v === undefined ? null : v;
  };
  const startOf = (g: unknown): number => {
    const text = groupAt(g ?? 0);
    if (text === null) return -1;
    if (!g) return m.index;
    // JavaScript reports only the whole match's index; a group's is found inside it
    const off = m[0].indexOf(text);
    return off < 0 ? -1 : m.index + off;
  };
  return {
    string,
    group: (...gs: unknown[]) => (gs.length <= 1 ? groupAt(gs[0] ?? 0) : makeTuple(gs.map(groupAt))),
    groups: (dflt: unknown = null) => makeTuple(m.slice(1).map((v) => (v === undefined ? dflt : v))),
    groupdict: (dflt: unknown = null) => Object.fromEntries(Object.entries(m.groups ?? {}).map(([k, v]) => [k, v === undefined ? dflt : v])),
    start: (g?: unknown) => startOf(g),
    end: (g?: unknown) => {
      const s = startOf(g);
      const text = groupAt(g ?? 0);
      return s < 0 || text === null ? -1 : s + text.length;
    },
    span: (g?: unknown) => {
      const s = startOf(g);
      const text = groupAt(g ?? 0);
      return makeTuple([s, s < 0 || text === null ? -1 : s + text.length]);
    },
    toString: () => `<re.Match object; span=(${m.index}, ${m.index + m[0].length}), match='${m[0]}'>`,
  };
}

/** Python's replacement syntax (`\1`, `\g<1>`, `\g<name>`, `\n`) as a JavaScript replacement. */
function toReplacement(repl: string): string {
  return repl
    .replace(/\$/g, '$$$$')
    .replace(/\\g<(\d+)>/g, '$$$1')
    .replace(/\\g<([A-Za-z_]\w*)>/g, '$$<$1>')
    .replace(/\\(\d{1,2})/g, '$$$1')
    .replace(/\\n/g, '\n')
    .replace(/\\t/g, '\t')
    .replace(/\\\\/g, '\\');
}

function search(pattern: unknown, string: unknown, flags: unknown) {
  const s = String(string);
  const m = toRegExp(pattern, flags).exec(s);
  return m ? matchObject(m, s) : null;
}

function match(pattern: unknown, string: unknown, flags: unknown) {
  const s = String(string);
  const re = toRegExp(pattern, flags, 'y');
  re.lastIndex = 0;
  const m = re.exec(s);
  return m ? matchObject(m, s) : null;
}

function fullmatch(pattern: unknown, string: unknown, flags: unknown) {
  const s = String(string);
  const base = toRegExp(pattern, flags);
  const re = new RegExp(`(?:${base.source})$`, base.flags + 'y');
  re.lastIndex = 0;
  const m = re.exec(s);
  return m ? matchObject(m, s) : null;
}

function findall(pattern: unknown, string: unknown, flags: unknown) {
  const out: unknown[] = [];
  for (const m of String(string).matchAll(toRegExp(pattern, flags, 'g'))) {
    if (m.length === 1) out.push(m[0]);
    else if (m.length === 2) out.push(m[1] ?? '');
    else out.push(makeTuple(m.slice(1).map((v) => v ?? '')));
  }
  return out;
}

function sub(pattern: unknown, repl: unknown, string: unknown, count: unknown, flags: unknown) {
  if (typeof repl === 'function') throw pyError('TypeError', 're.sub with a function as replacement is not supported in templates');
  const n = Number(count ?? 0);
  const re = toRegExp(pattern, flags, 'g');
  const replacement = toReplacement(String(repl));
  if (!n) return String(string).replace(re, replacement);
  let done = 0;
  return String(string).replace(re, (...args) => {
    if (done++ >= n) return args[0] as string;
    return (args[0] as string).replace(new RegExp(re.source, re.flags.replace('g', '')), replacement);
  });
}

function split(pattern: unknown, string: unknown, maxsplit: unknown, flags: unknown) {
  const s = String(string);
  const limit = Number(maxsplit ?? 0);
  const out: unknown[] = [];
  let last = 0;
  let splits = 0;
  for (const m of s.matchAll(toRegExp(pattern, flags, 'g'))) {
    if (limit && splits >= limit) break;
    if (m[0] === '' && m.index === last && m.index !== 0) continue;
    out.push(s.slice(last, m.index), ...m.slice(1).map((v) => v ?? null));
    last = m.index + m[0].length;
    splits++;
  }
  out.push(s.slice(last));
  return out;
}

const bind = (name: string, params: string[], defaults: Record<string, unknown>, fn: (...a: unknown[]) => unknown) =>
  (...raw: unknown[]) => {
    const a = bindArgs(name, raw, params, defaults);
    return fn(...params.map((p) => a[p]));
  };

/** `modules.re`. */
export function pythonRe(): Record<string, unknown> {
  const api = {
    search: bind('search', ['pattern', 'string', 'flags'], { flags: 0 }, search),
    match: bind('match', ['pattern', 'string', 'flags'], { flags: 0 }, match),
    fullmatch: bind('fullmatch', ['pattern', 'string', 'flags'], { flags: 0 }, fullmatch),
    findall: bind('findall', ['pattern', 'string', 'flags'], { flags: 0 }, findall),
    sub: bind('sub', ['pattern', 'repl', 'string', 'count', 'flags'], { count: 0, flags: 0 }, sub),
    split: bind('split', ['pattern', 'string', 'maxsplit', 'flags'], { maxsplit: 0, flags: 0 }, split),
    escape: (s: unknown) => String(s).replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`),
    compile: bind('compile', ['pattern', 'flags'], { flags: 0 }, (pattern, flags) => {
      const regex = toRegExp(pattern, flags);
      const c: Compiled & Record<string, unknown> = {
        pattern: String(isCompiled(pattern) ? pattern.pattern : pattern),
        regex,
        search: (s: unknown) => search(regex, s, 0),
        match: (s: unknown) => match(regex, s, 0),
        fullmatch: (s: unknown) => fullmatch(regex, s, 0),
        findall: (s: unknown) => findall(regex, s, 0),
        sub: (repl: unknown, s: unknown, count?: unknown) => sub(regex, repl, s, count, 0),
        split: (s: unknown, maxsplit?: unknown) => split(regex, s, maxsplit, 0),
      };
      COMPILED.add(c);
      return c;
    }),
    ...FLAGS,
  };
  return api;
}
