/**
 * Python's str algorithms that JavaScript lacks or does differently: strip with a char set,
 * split with maxsplit, replace with a count, title/center/splitlines, clamped slice bounds.
 *
 * Shared by the str methods (`s.split(',')`) and the filters built on them (`trim`,
 * `replace`, `indent`...).
 */
import { pyStr } from './python-repr.js';
import { pyError, toInt } from './python-values.js';

/** `str.strip/lstrip/rstrip`: whitespace, or any of `chars`. */
export function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  if (chars === undefined || chars === null) {
    if (left) s = s.replace(/^\s+/, '');
    if (right) s = s.replace(/\s+$/, '');
    return s;
  }
  const set = new Set(Array.from(pyStr(chars)));
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  if (left) while (a < b && set.has(cps[a])) a++;
  if (right) while (b > a && set.has(cps[b - 1])) b--;
  return cps.slice(a, b).join('');
}

/** `str.split/rsplit`: with no separator, runs of whitespace split and edges are dropped. */
export function pySplit(s: string, sep: unknown, maxsplit: number, fromRight: boolean): string[] {
  if (sep === undefined || sep === null) {
    const words: string[] = [];
    let rest = fromRight ? s.replace(/\s+$/, '') : s.replace(/^\s+/, '');
    while (rest.length) {
      if (maxsplit >= 0 && words.length >= maxsplit) {
        words.push(rest);
        break;
      }
      const m = fromRight ? /\s+(\S*)$/.exec(rest) : /^(\S*)\s+/.exec(rest);
      if (!m) {
        words.push(rest);
        break;
      }
      words.push(m[1]);
      rest = fromRight ? rest.slice(0, m.index) : rest.slice(m[0].length);
    }
    return fromRight ? words.reverse() : words;
  }
  const sp = pyStr(sep);
  if (sp === '') throw pyError('ValueError', 'empty separator');
  const parts = s.split(sp);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  if (fromRight) return [parts.slice(0, parts.length - maxsplit).join(sp), ...parts.slice(parts.length - maxsplit)];
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sp)];
}

/** `str.splitlines(keepends)`. */
export function pySplitlines(s: string, keepends: unknown): string[] {
  const parts = s.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
  return keepends ? parts : parts.map((p) => p.replace(/(?:\r\n|\r|\n)$/, ''));
}

/** `str.replace(old, new, count)`; count < 0 replaces all. */
export function pyReplace(s: string, old: string, repl: string, count: number): string {
  if (old === '') {
    const chars = Array.from(s);
    let out = '';
    let n = 0;
    for (let i = 0; i <= chars.length; i++) {
      if (count < 0 || n < count) {
        out += repl;
        n++;
      }
      if (i < chars.length) out += chars[i];
    }
    return out;
  }
  if (count < 0) return s.split(old).join(repl);
  let out = '';
  let pos = 0;
  for (let n = 0; n < count; n++) {
    const i = s.indexOf(old, pos);
    if (i < 0) break;
    out += s.slice(pos, i) + repl;
    pos = i + old.length;
  }
  return out + s.slice(pos);
}

/** The `start`/`end` arguments of find/count/index, clamped to [0, len]. */
export function sliceBounds(len: number, start: unknown, end: unknown): [number, number] {
  const norm = (v: unknown, def: number) => {
    if (v === undefined || v === null) return def;
    let n = toInt(v, 'slice index');
    if (n < 0) n = Math.max(0, n + len);
    return Math.min(n, len);
  };
  return [norm(start, 0), norm(end, len)];
}

export function pyTitle(s: string): string {
  return s.replace(/\p{L}+/gu, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase());
}

export function pyCenter(s: string, width: number, fill: string): string {
  const len = [...s].length;
  if (width <= len) return s;
  const marg = width - len;
  const left = Math.floor(marg / 2) + (marg & width & 1);
  return fill.repeat(left) + s + fill.repeat(marg - left);
}

export function pyIsLower(s: string): boolean {
  return /\p{Ll}/u.test(s) && !/[\p{Lu}\p{Lt}]/u.test(s);
}

export function pyIsUpper(s: string): boolean {
  return /\p{Lu}/u.test(s) && !/[\p{Ll}\p{Lt}]/u.test(s);
}
