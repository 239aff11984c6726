/**
 * dbt's YAML selectors: `selectors.yml` at the project root names selections, used with
 * `--selector NAME`; the one marked `default: true` applies when a command is given no
 * `--select`, `--exclude` or `--selector`.
 *
 * A definition is a CLI-style string (`'tag:nightly +orders'`), a `method: value` pair, a
 * full criterion (`method`, `value`, `parents`, `children`, `parents_depth`,
 * `children_depth`, `childrens_parents`, `indirect_selection`, `exclude`), a `union:` or
 * `intersection:` list (one of whose items may be `exclude:`), or `method: selector` naming
 * a selector defined above it. Every mistake names the file and line.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { isPlainObject } from '../project/config-merge.js';
import { didYouMean } from '../util/suggest.js';
import { readYamlFile, type YamlFile, type YamlPath } from '../util/yaml-file.js';
import { parseSelector } from './selector-parse.js';
import { INDIRECT_MODES, specOfArgs, type IndirectSelection, type SelectionSpec } from './selector.js';

export const SELECTORS_FILE = 'selectors.yml';

const SELECTOR_KEYS = ['name', 'description', 'default', 'definition'];
const CRITERION_KEYS = ['method', 'value', 'parents', 'children', 'parents_depth', 'children_depth', 'childrens_parents', 'indirect_selection', 'exclude'];

export interface YamlSelector {
  name: string;
  description: string;
  isDefault: boolean;
  spec: SelectionSpec;
  /** line of its definition in selectors.yml */
  line?: number;
}

/** The selectors of the project's selectors.yml, in file order (none when there is no file). */
export function readSelectors(projectDir: string): YamlSelector[] {
  const abs = join(projectDir, SELECTORS_FILE);
  if (!existsSync(abs)) return [];
  return parseSelectors(readYamlFile(abs, SELECTORS_FILE));
}

export function parseSelectors(yaml: YamlFile): YamlSelector[] {
  const data = yaml.data;
  if (!isPlainObject(data) || !Array.isArray(data.selectors)) throw yaml.error(`${SELECTORS_FILE} must hold a list 'selectors:'`, ['selectors'], 'e.g. selectors:\n  - name: nightly\n    definition: tag:nightly');
  const extra = Object.keys(data).filter((k) => k !== 'selectors');
  if (extra.length) throw yaml.error(`unknown key '${extra[0]}' in ${SELECTORS_FILE}`, [extra[0]], "it holds only 'selectors:'");
  const out: YamlSelector[] = [];
  const byName = new Map<string, SelectionSpec>();
  data.selectors.forEach((raw: unknown, i: number) => {
    const path = ['selectors', i];
    if (!isPlainObject(raw)) throw yaml.error('a selector is a mapping with a name and a definition', path);
    for (const k of Object.keys(raw)) {
      if (!SELECTOR_KEYS.includes(k)) throw yaml.error(`unknown key '${k}' in a selector`, [...path, k], didYouMean(k, SELECTOR_KEYS) ?? `a selector takes ${SELECTOR_KEYS.join(', ')}`);
    }
    if (typeof raw.name !== 'string' || raw.name === '') throw yaml.error('a selector needs a name', path);
    const name = raw.name;
    if (byName.has(name)) throw yaml.error(`selector '${name}' is defined twice`, [...path, 'name']);
    if (raw.definition === undefined || raw.definition === null) throw yaml.error(`selector '${name}' needs a definition`, path);
    if (raw.default !== undefined && typeof raw.default !== 'boolean') throw yaml.error(`selector '${name}': default takes true or false`, [...path, 'default']);
    if (raw.default === true) {
      const other = out.find((s) => s.isDefault);
      if (other) throw yaml.error(`selectors '${other.name}' and '${name}' are both default: true`, [...path, 'default'], 'one selector at most is the default');
    }
    const definition = new DefinitionParser(yaml, byName, name);
    const spec = definition.parse(raw.definition, [...path, 'definition'], true);
    byName.set(name, spec);
    out.push({ name, description: typeof raw.description === 'string' ? raw.description : '', isDefault: raw.default === true, spec, line: yaml.lineOf([...path, 'definition']) });
  });
  return out;
}

class DefinitionParser {
  constructor(
    private readonly yaml: YamlFile,
    private readonly earlier: ReadonlyMap<string, SelectionSpec>,
    private readonly selector: string,
  ) {}

  private error(message: string, path: YamlPath, hint?: string): UserError {
    return this.yaml.error(`selector '${this.selector}': ${message}`, path, hint);
  }

  parse(def: unknown, path: YamlPath, root = false): SelectionSpec {
    if (typeof def === 'string') return this.cliStyle(def, path);
    if (!isPlainObject(def)) throw this.error('a definition is a string, a mapping, a union: or an intersection:', path);
    for (const op of ['union', 'intersection'] as const) {
      if (!(op in def)) continue;
      if (Object.keys(def).length > 1) {
        const other = Object.keys(def).find((k) => k !== op)!;
        throw this.error(`'${op}' stands alone in its mapping, found '${other}' beside it`, [...path, other], root ? undefined : `put '${other}' in an item of the list`);
      }
      return this.setOperation(op, def[op], [...path, op]);
    }
    return this.criterion(def, path);
  }

  private cliStyle(text: string, path: YamlPath): SelectionSpec {
    try {
      const spec = specOfArgs([text]);
      if (spec.kind === 'union' && spec.parts.length === 0) throw new UserError('an empty selector');
      return spec.kind === 'union' && spec.parts.length === 1 ? spec.parts[0] : spec;
    } catch (e) {
      if (e instanceof UserError) throw this.error(e.message, path, e.hint);
      throw e;
    }
  }

  private setOperation(op: 'union' | 'intersection', items: unknown, path: YamlPath): SelectionSpec {
    if (!Array.isArray(items) || items.length === 0) throw this.error(`'${op}' takes a list of definitions`, path);
    const parts: SelectionSpec[] = [];
    let exclude: SelectionSpec | undefined;
    items.forEach((item: unknown, i: number) => {
      if (isPlainObject(item) && 'exclude' in item) {
        if (Object.keys(item).length > 1) throw this.error("'exclude' stands alone in its list item", [...path, i]);
        if (exclude) throw this.error(`one 'exclude' per '${op}'`, [...path, i, 'exclude']);
        exclude = this.exclusions(item.exclude, [...path, i, 'exclude']);
      } else parts.push(this.parse(item, [...path, i]));
    });
    if (!parts.length) throw this.error(`'${op}' needs something to select besides 'exclude'`, path);
    const base: SelectionSpec = { kind: op, parts };
    return exclude ? { kind: 'difference', parts: [base, exclude] } : base;
  }

  private exclusions(list: unknown, path: YamlPath): SelectionSpec {
    if (!Array.isArray(list) || list.length === 0) throw this.error("'exclude' takes a list of definitions", path);
    const parts = list.map((d: unknown, i: number) => this.parse(d, [...path, i]));
    return parts.length === 1 ? parts[0] : { kind: 'union', parts };
  }

  private criterion(def: Record<string, unknown>, path: YamlPath): SelectionSpec {
    const keys = Object.keys(def);
    if (keys.length === 1 && keys[0] !== 'method' && keys[0] !== 'exclude') {
      // the key-value form: `tag: nightly`
      return { kind: 'criterion', criterion: this.methodValue(keys[0], def[keys[0]], [...path, keys[0]]) };
    }
    for (const k of keys) {
      if (!CRITERION_KEYS.includes(k)) throw this.error(`unknown key '${k}'`, [...path, k], didYouMean(k, CRITERION_KEYS) ?? `a criterion takes ${CRITERION_KEYS.join(', ')}`);
    }
    if (typeof def.method !== 'string' || def.value === undefined || def.value === null) throw this.error("a criterion needs 'method' and 'value'", path, "e.g. method: tag\n  value: nightly");
    if (def.method === 'selector') {
      const name = String(def.value);
      const spec = this.earlier.get(name);
      if (!spec) throw this.error(`selector '${name}' is not defined above it`, [...path, 'value'], didYouMean(name, [...this.earlier.keys()]) ?? 'a selector can reuse only those defined before it in the file');
      const others = keys.filter((k) => k !== 'method' && k !== 'value');
      if (others.length) throw this.error(`'method: selector' takes no '${others[0]}'`, [...path, others[0]]);
      return spec;
    }
    const criterion = this.methodValue(def.method, def.value, [...path, 'value']);
    const flag = (k: string): boolean => {
      if (def[k] === undefined) return false;
      if (typeof def[k] !== 'boolean') throw this.error(`'${k}' takes true or false`, [...path, k]);
      return def[k] as boolean;
    };
    const depth = (k: string): number | undefined => {
      const v = def[k];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw this.error(`'${k}' takes a whole number from 1`, [...path, k]);
      return v;
    };
    const parentsDepth = depth('parents_depth');
    const childrenDepth = depth('children_depth');
    if (flag('parents') || parentsDepth !== undefined) criterion.parentsDepth = parentsDepth ?? Infinity;
    if (flag('children') || childrenDepth !== undefined) criterion.childrenDepth = childrenDepth ?? Infinity;
    if (flag('childrens_parents')) {
      if (criterion.parentsDepth !== undefined) throw this.error("'childrens_parents' cannot be combined with 'parents'", [...path, 'childrens_parents']);
      criterion.childrensParents = true;
    }
    let indirect: IndirectSelection | undefined;
    if (def.indirect_selection !== undefined) {
      const v = String(def.indirect_selection);
      if (!(INDIRECT_MODES as readonly string[]).includes(v)) throw this.error(`unknown indirect_selection '${v}' (expected ${INDIRECT_MODES.join(', ')})`, [...path, 'indirect_selection'], didYouMean(v, INDIRECT_MODES));
      indirect = v as IndirectSelection;
    }
    const base: SelectionSpec = { kind: 'criterion', criterion, indirect };
    if (def.exclude === undefined) return base;
    return { kind: 'difference', parts: [base, this.exclusions(def.exclude, [...path, 'exclude'])] };
  }

  /** One `method: value` criterion, checked as the command line checks it. */
  private methodValue(method: string, value: unknown, path: YamlPath) {
    if (value === null || typeof value === 'object') throw this.error(`'${method}' takes one value`, path);
    const text = `${method}:${String(value)}`;
    let terms;
    try {
      terms = parseSelector(text).terms;
    } catch (e) {
      if (e instanceof UserError) throw this.error(e.message, path, e.hint);
      throw e;
    }
    const c = terms.length === 1 && terms[0].criteria.length === 1 ? terms[0].criteria[0] : undefined;
    if (!c || c.parentsDepth !== undefined || c.childrenDepth !== undefined || c.childrensParents) {
      throw this.error(`'${String(value)}' is one value, without spaces, commas or graph operators`, path, "use parents:, children: or a CLI-style string such as '+tag:nightly'");
    }
    return c;
  }
}

/** The YAML selector a command applies, as the parsed options hold it. */
export interface ChosenSelector {
  name: string;
  spec: SelectionSpec;
  /** selectors.yml's `default: true` selector, applied because the command named no selection */
  isDefault: boolean;
  /** line of its definition in selectors.yml */
  line?: number;
}

/**
 * The YAML selector a command applies: `--selector NAME`, else the default one when the
 * command has no --select or --exclude. Undefined when neither applies.
 */
export function chooseSelector(selectors: YamlSelector[], opts: { name?: string; cliSelection: boolean }): YamlSelector | undefined {
  if (opts.name === undefined) return opts.cliSelection ? undefined : selectors.find((s) => s.isDefault);
  const found = selectors.find((s) => s.name === opts.name);
  if (found) return found;
  if (!selectors.length) throw new UserError(`--selector '${opts.name}': the project has no ${SELECTORS_FILE}`, {}, { hint: `selectors are defined in ${SELECTORS_FILE} next to the project file` });
  const hint = didYouMean(opts.name, selectors.map((s) => s.name));
  throw new UserError(`--selector '${opts.name}' is not defined in ${SELECTORS_FILE}`, {}, { hint: hint ?? `defined: ${selectors.map((s) => s.name).join(', ')}` });
}
