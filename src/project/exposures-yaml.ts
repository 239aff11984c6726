import { didYouMean } from '../util/suggest.js';
import { isPlainObject, type Config } from './config-merge.js';
import { asList, metaOf, type YamlEntries } from './yaml-entries.js';

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

export function parseExposures(r: YamlEntries, value: unknown): ExposureDef[] {
  const { yaml, errors } = r;
  const out: ExposureDef[] = [];
  r.each(value, ['exposures'], (raw, path, name) => {
    const before = errors.length;
    r.keys(raw, KEYS, path, `exposure '${name}'`);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) errors.push(yaml.error(`exposure name '${name}' must be letters, digits and underscores`, [...path, 'name'], raw.label === undefined ? `put the display name in label:` : undefined));
    const type = String(raw.type ?? '');
    if (!EXPOSURE_TYPES.includes(type)) errors.push(yaml.error(raw.type === undefined ? `exposure '${name}' needs a type` : `unknown exposure type '${type}'`, [...path, raw.type === undefined ? 'name' : 'type'], didYouMean(type, EXPOSURE_TYPES) ?? `use one of ${EXPOSURE_TYPES.join(', ')}`));
    const owner = raw.owner;
    if (!isPlainObject(owner) || (owner.name === undefined && owner.email === undefined)) errors.push(yaml.error(`exposure '${name}' needs an owner with a name or an email`, [...path, owner === undefined ? 'name' : 'owner'], 'e.g. owner: {name: Finance, email: finance@example.com}'));
    else r.keys(owner, OWNER_KEYS, [...path, 'owner'], `the owner of exposure '${name}'`);
    if (raw.maturity !== undefined && !MATURITIES.includes(String(raw.maturity))) errors.push(yaml.error(`exposure maturity must be one of ${MATURITIES.join(', ')}, got '${raw.maturity}'`, [...path, 'maturity']));
    const config = r.config(raw.config, [...path, 'config']);
    r.keys(config, CONFIG_KEYS, [...path, 'config'], `the config of exposure '${name}'`);
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
      meta: metaOf(raw, config),
      tags: [...new Set(tags)],
      config,
      file: yaml.relPath,
      line: yaml.lineOf(path),
    });
  });
  return out;
}
