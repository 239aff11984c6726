import type { YamlEntries } from './yaml-entries.js';
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

export function parseGroups(r: YamlEntries, value: unknown): GroupDef[] {
  const out: GroupDef[] = [];
  r.each(value, ['groups'], (raw, path, name) => {
    r.keys(raw, KEYS, path, `group '${name}'`);
    if (!isPlainObject(raw.owner) || (raw.owner.name === undefined && raw.owner.email === undefined)) {
      r.errors.push(r.yaml.error(`group '${name}' needs an owner with a name or an email`, [...path, raw.owner === undefined ? 'name' : 'owner']));
      return;
    }
    out.push({ name, owner: raw.owner, description: String(raw.description ?? ''), file: r.yaml.relPath, line: r.yaml.lineOf(path) });
  });
  return out;
}
