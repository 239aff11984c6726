import { isPlainObject } from './config-merge.js';
import { metaOf, type YamlEntries } from './yaml-entries.js';

/** One documented argument of a macro (`arguments:` of a `macros:` entry). */
export interface MacroArgumentDef {
  name: string;
  type?: string;
  description: string;
  line?: number;
}

/** A `macros:` entry of a properties file: dbt's macro properties. */
export interface MacroPatch {
  name: string;
  description: string;
  /** `docs: {show: false}` hides the macro from the docs site's sidebar */
  docs?: { show?: boolean };
  meta: Record<string, unknown>;
  arguments: MacroArgumentDef[];
  file: string;
  line?: number;
}

const MACRO_KEYS = ['name', 'description', 'docs', 'arguments', 'meta', 'config'];
const ARGUMENT_KEYS = ['name', 'type', 'description'];

/** The `macros:` list of one properties file, each mistake an error naming its line. */
export function parseMacroPatches(r: YamlEntries, v: unknown): MacroPatch[] {
  const out: MacroPatch[] = [];
  r.each(v, ['macros'], (raw, path, name) => {
    r.keys(raw, MACRO_KEYS, path, `macro '${name}'`);
    const config = r.config(raw.config, [...path, 'config']);
    r.keys(config, ['meta', 'docs'], [...path, 'config'], `the config of macro '${name}'`);
    const docs = config.docs ?? raw.docs;
    if (docs !== undefined && !(isPlainObject(docs) && (docs.show === undefined || typeof docs.show === 'boolean'))) r.errors.push(r.yaml.error(`docs of macro '${name}' must be {show: true|false}`, [...path, config.docs !== undefined ? 'config' : 'docs']));
    const args: MacroArgumentDef[] = [];
    r.each(raw.arguments, [...path, 'arguments'], (a, apath, arg) => {
      r.keys(a, ARGUMENT_KEYS, apath, `argument '${arg}' of macro '${name}'`);
      if (a.type !== undefined && typeof a.type !== 'string') r.errors.push(r.yaml.error(`the type of argument '${arg}' must be a string, e.g. type: list[string]`, [...apath, 'type']));
      args.push({ name: arg, type: typeof a.type === 'string' ? a.type : undefined, description: String(a.description ?? ''), line: r.yaml.lineOf(apath) });
    });
    out.push({
      name,
      description: String(raw.description ?? ''),
      docs: isPlainObject(docs) ? { show: docs.show as boolean | undefined } : undefined,
      meta: metaOf(raw, config),
      arguments: args,
      file: r.yaml.relPath,
      line: r.yaml.lineOf(path),
    });
  });
  return out;
}

/** The parameter names of `{% macro name(a, b=1, *args) %}` (a test block's too), from the macro's text. */
export function macroParameters(text: string): string[] | undefined {
  const m = /^\{%-?\s*(?:macro|test)\s+[A-Za-z_][A-Za-z0-9_]*\s*\(/.exec(text);
  if (!m) return undefined;
  // one pass over the parameter list: commas at its own level split it, those inside defaults and strings do not
  const names: string[] = [];
  const push = (part: string) => {
    const name = /^\s*\**([A-Za-z_][A-Za-z0-9_]*)/.exec(part)?.[1];
    if (name) names.push(name);
  };
  let depth = 1;
  let quote = '';
  let start = m[0].length;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote && text[i - 1] !== '\\') quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (--depth === 0) {
        push(text.slice(start, i));
        break;
      }
    } else if (c === ',' && depth === 1) {
      push(text.slice(start, i));
      start = i + 1;
    }
  }
  return names;
}
