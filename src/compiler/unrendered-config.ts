/**
 * A node's config as written, before any template runs: what state comparison
 * compares, so a value that differs only because the environment differs
 * (`env_var()`, `target.name`, `var()`) is not a modification.
 *
 * YAML config (project folders, properties files) is never rendered, so it is
 * taken as is. A `config(...)` call in a template is read statically: each
 * keyword argument becomes its literal value when it is a plain literal
 * (`'table'`, `3`, `true`), else the expression's text (`env_var('X') ~ '_y'`).
 */
import { mergeConfig, type Config } from '../project/config-merge.js';

/** The keyword arguments of every `config(...)` call in a template, merged in order. */
export function inlineConfig(text: string): Config {
  let out: Config = {};
  const call = /\{\{-?\s*config\s*\(/g;
  for (let m = call.exec(text); m; m = call.exec(text)) {
    const open = m.index + m[0].length;
    const close = matchingParen(text, open);
    if (close < 0) break;
    out = mergeConfig(out, parseArgs(text.slice(open, close)));
    call.lastIndex = close;
  }
  return out;
}

/** Index of the `)` closing the paren opened just before `from`, skipping quoted strings; -1 when none. */
function matchingParen(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      if (end < 0) return -1;
      i = end;
    } else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return ch === ')' ? i : -1;
    }
  }
  return -1;
}

/** Splits at top-level commas. */
function splitTopLevel(args: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const ch = args[i];
    if (ch === "'" || ch === '"') {
      const end = args.indexOf(ch, i + 1);
      i = end < 0 ? args.length : end;
    } else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(args.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(args.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function parseArgs(args: string): Config {
  const out: Config = {};
  let positional = 0;
  for (const part of splitTopLevel(args)) {
    const kw = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)\s*([\s\S]*)$/.exec(part);
    if (kw) out[kw[1]] = literal(kw[2]);
    else out[`__positional_${positional++}`] = literal(part);
  }
  return out;
}

/** A plain literal's value; anything else is kept as its text, whitespace collapsed outside strings. */
function literal(expr: string): unknown {
  const e = expr.trim();
  const str = /^'([^'\\]*)'$|^"([^"\\]*)"$/.exec(e);
  if (str) return str[1] ?? str[2];
  if (/^-?\d+(\.\d+)?$/.test(e)) return Number(e);
  if (/^(true|True)$/.test(e)) return true;
  if (/^(false|False)$/.test(e)) return false;
  if (/^(none|None)$/.test(e)) return null;
  if (e.startsWith('[') && e.endsWith(']')) {
    const items = splitTopLevel(e.slice(1, -1)).map(literal);
    return items;
  }
  return { expression: e.replace(/\s+/g, ' ') };
}
