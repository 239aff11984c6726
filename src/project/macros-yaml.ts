import type { UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import type { YamlFile } from '../util/yaml-file.js';
import { isPlainObject } from './config-merge.js';

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
export function parseMacroPatches(yaml: YamlFile, v: unknown, errors: UserError[]): MacroPatch[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    errors.push(yaml.error(`'macros' must be a list`, ['macros']));
    return [];
  }
  const out: MacroPatch[] = [];
  v.forEach((raw, i) => {
    const path = ['macros', i];
    if (!isPlainObject(raw) || typeof raw.name !== 'string' || !raw.name) {
      errors.push(yaml.error(`each entry of 'macros' must be a mapping with a name`, path));
      return;
    }
    const unknown = (obj: Record<string, unknown>, allowed: string[], at: (string | number)[], what: string) => {
      for (const k of Object.keys(obj)) if (!allowed.includes(k)) errors.push(yaml.error(`unknown key '${k}' in ${what}`, [...at, k], didYouMean(k, allowed)));
    };
    unknown(raw, MACRO_KEYS, path, `macro '${raw.name}'`);
    const config = isPlainObject(raw.config) ? raw.config : {};
    if (raw.config !== undefined && !isPlainObject(raw.config)) errors.push(yaml.error(`'config' must be a mapping`, [...path, 'config']));
    unknown(config, ['meta', 'docs'], [...path, 'config'], `the config of macro '${raw.name}'`);
    const docs = config.docs ?? raw.docs;
    if (docs !== undefined && !(isPlainObject(docs) && (docs.show === undefined || typeof docs.show === 'boolean'))) errors.push(yaml.error(`docs of macro '${raw.name}' must be {show: true|false}`, [...path, config.docs !== undefined ? 'config' : 'docs']));
    const args: MacroArgumentDef[] = [];
    if (raw.arguments !== undefined && !Array.isArray(raw.arguments)) errors.push(yaml.error(`'arguments' of macro '${raw.name}' must be a list`, [...path, 'arguments']));
    (Array.isArray(raw.arguments) ? raw.arguments : []).forEach((a: unknown, j: number) => {
      const apath = [...path, 'arguments', j];
      if (!isPlainObject(a) || typeof a.name !== 'string' || !a.name) {
        errors.push(yaml.error(`each argument of macro '${raw.name}' must be a mapping with a name`, apath));
        return;
      }
      unknown(a, ARGUMENT_KEYS, apath, `argument '${a.name}' of macro '${raw.name}'`);
      if (a.type !== undefined && typeof a.type !== 'string') errors.push(yaml.error(`the type of argument '${a.name}' must be a string, e.g. type: list[string]`, [...apath, 'type']));
      args.push({ name: a.name, type: typeof a.type === 'string' ? a.type : undefined, description: String(a.description ?? ''), line: yaml.lineOf(apath) });
    });
    out.push({
      name: raw.name,
      description: String(raw.description ?? ''),
      docs: isPlainObject(docs) ? { show: docs.show as boolean | undefined } : undefined,
      meta: { ...(isPlainObject(raw.meta) ? raw.meta : {}), ...(isPlainObject(config.meta) ? config.meta : {}) },
      arguments: args,
      file: yaml.relPath,
      line: yaml.lineOf(path),
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
