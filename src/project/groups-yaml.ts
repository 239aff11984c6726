import type { UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import type { YamlFile } from '../util/yaml-file.js';
import { isPlainObject } from './config-merge.js';

/** A `groups:` entry of a properties file: a name and its owner (who to ask about its private models). */
export interface GroupDef {
  name: string;
  owner: Record<string, unknown>;
  description: string;
  file: string;
  line?: number;
}

const KEYS = ['name', 'owner', 'description', 'config'];

export function parseGroups(yaml: YamlFile, value: unknown, errors: UserError[]): GroupDef[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push(yaml.error(`'groups' must be a list`, ['groups']));
    return [];
  }
  const out: GroupDef[] = [];
  value.forEach((raw, i) => {
    const path = ['groups', i];
    if (!isPlainObject(raw) || typeof raw.name !== 'string' || !raw.name) {
      errors.push(yaml.error('each group must be a mapping with a name', path));
      return;
    }
    for (const k of Object.keys(raw)) if (!KEYS.includes(k)) errors.push(yaml.error(`unknown key '${k}' in group '${raw.name}'`, [...path, k], didYouMean(k, KEYS)));
    if (!isPlainObject(raw.owner) || (raw.owner.name === undefined && raw.owner.email === undefined)) {
      errors.push(yaml.error(`group '${raw.name}' needs an owner with a name or an email`, [...path, raw.owner === undefined ? 'name' : 'owner']));
      return;
    }
    out.push({ name: raw.name, owner: raw.owner, description: String(raw.description ?? ''), file: yaml.relPath, line: yaml.lineOf(path) });
  });
  return out;
}
