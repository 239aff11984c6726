import type { UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import type { YamlFile, YamlPath } from '../util/yaml-file.js';
import { isPlainObject, type Config } from './config-merge.js';

/** An `exposures:` entry of a properties file, checked; its refs are resolved by the compiler. */
export interface ExposureDef {
  name: string;
  type: string;
  owner: Record<string, unknown>;
  dependsOn: Array<{ kind: 'ref' | 'source'; args: string[]; text: string; line?: number }>;
  url?: string;
  maturity?: string;
  description: string;
  label?: string;
  meta: Record<string, unknown>;
  tags: string[];
  config: Config;
  file: string;
  line?: number;
}

export const EXPOSURE_TYPES = ['dashboard', 'notebook', 'analysis', 'ml', 'application'];
const MATURITIES = ['low', 'medium', 'high'];
const KEYS = ['name', 'type', 'owner', 'depends_on', 'url', 'maturity', 'description', 'label', 'meta', 'tags', 'config'];
const CONFIG_KEYS = ['enabled', 'tags', 'meta'];
const OWNER_KEYS = ['name', 'email'];

/** `ref('m')`, `ref('pkg', 'm')`, `source('s', 't')`, with or without `{{ }}` around. */
const DEPENDENCY = /^\s*(?:\{\{\s*)?(ref|source)\s*\(\s*(['"])([^'"]+)\2\s*(?:,\s*(['"])([^'"]+)\4\s*)?\)\s*(?:\}\}\s*)?$/;

export function parseExposures(yaml: YamlFile, value: unknown, errors: UserError[]): ExposureDef[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push(yaml.error(`'exposures' must be a list`, ['exposures']));
    return [];
  }
  const out: ExposureDef[] = [];
  value.forEach((raw, i) => {
    const path: YamlPath = ['exposures', i];
    if (!isPlainObject(raw) || typeof raw.name !== 'string' || !raw.name) {
      errors.push(yaml.error('each exposure must be a mapping with a name', path));
      return;
    }
    const before = errors.length;
    const name = raw.name;
    for (const k of Object.keys(raw)) if (!KEYS.includes(k)) errors.push(yaml.error(`unknown key '${k}' in exposure '${name}'`, [...path, k], didYouMean(k, KEYS)));
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) errors.push(yaml.error(`exposure name '${name}' must be letters, digits and underscores`, [...path, 'name'], raw.label === undefined ? `put the display name in label:` : undefined));
    const type = String(raw.type ?? '');
    if (!EXPOSURE_TYPES.includes(type)) errors.push(yaml.error(raw.type === undefined ? `exposure '${name}' needs a type` : `unknown exposure type '${type}'`, [...path, raw.type === undefined ? 'name' : 'type'], didYouMean(type, EXPOSURE_TYPES) ?? `use one of ${EXPOSURE_TYPES.join(', ')}`));
    const owner = raw.owner;
    if (!isPlainObject(owner) || (owner.name === undefined && owner.email === undefined)) errors.push(yaml.error(`exposure '${name}' needs an owner with a name or an email`, [...path, owner === undefined ? 'name' : 'owner'], 'e.g. owner: {name: Finance, email: finance@example.com}'));
    else for (const k of Object.keys(owner)) if (!OWNER_KEYS.includes(k)) errors.push(yaml.error(`unknown key '${k}' in the owner of exposure '${name}'`, [...path, 'owner', k], didYouMean(k, OWNER_KEYS)));
    if (raw.maturity !== undefined && !MATURITIES.includes(String(raw.maturity))) errors.push(yaml.error(`exposure maturity must be one of ${MATURITIES.join(', ')}, got '${raw.maturity}'`, [...path, 'maturity']));
    const config = isPlainObject(raw.config) ? raw.config : {};
    if (raw.config !== undefined && !isPlainObject(raw.config)) errors.push(yaml.error(`'config' must be a mapping`, [...path, 'config']));
    for (const k of Object.keys(config)) if (!CONFIG_KEYS.includes(k)) errors.push(yaml.error(`unknown exposure config key '${k}'`, [...path, 'config', k], didYouMean(k, CONFIG_KEYS)));
    const deps: ExposureDef['dependsOn'] = [];
    const listed = raw.depends_on === undefined || raw.depends_on === null ? [] : raw.depends_on;
    if (!Array.isArray(listed)) errors.push(yaml.error(`'depends_on' of exposure '${name}' must be a list such as [ref('orders'), source('shop', 'users')]`, [...path, 'depends_on']));
    else
      listed.forEach((d, j) => {
        const m = typeof d === 'string' ? DEPENDENCY.exec(d) : null;
        const line = yaml.lineOf([...path, 'depends_on', j]);
        if (!m) {
          errors.push(yaml.error(`exposure '${name}': depends_on entries are ref('model') or source('source', 'table'), got ${JSON.stringify(d)}`, [...path, 'depends_on', j]));
          return;
        }
        const args = m[5] !== undefined ? [m[3], m[5]] : [m[3]];
        if (m[1] === 'source' && args.length !== 2) {
          errors.push(yaml.error(`exposure '${name}': source() takes the source and the table: source('shop', 'users')`, [...path, 'depends_on', j]));
          return;
        }
        deps.push({ kind: m[1] as 'ref' | 'source', args, text: String(d).trim(), line });
      });
    if (errors.length > before) return;
    const tags = [...asList(raw.tags), ...asList(config.tags)].map(String);
    out.push({
      name,
      type,
      owner: owner as Record<string, unknown>,
      dependsOn: deps,
      url: raw.url === undefined ? undefined : String(raw.url),
      maturity: raw.maturity === undefined ? undefined : String(raw.maturity),
      description: String(raw.description ?? ''),
      label: raw.label === undefined ? undefined : String(raw.label),
      meta: { ...(isPlainObject(raw.meta) ? raw.meta : {}), ...(isPlainObject(config.meta) ? config.meta : {}) },
      tags: [...new Set(tags)],
      config,
      file: yaml.relPath,
      line: yaml.lineOf(path),
    });
  });
  return out;
}

function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}
