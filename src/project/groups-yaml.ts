import type { YamlEntries } from './yaml-entries.js';
import { isPlainObject } from './config-merge.js';

/**
 * A `groups:` entry of a properties file: a name, its owner (who to ask about
 * its private models), a description and `config: {meta}`, as dbt 1.10 reads
 * them. They reach manifest.json's `groups` and the docs site.
 */
export interface GroupDef {
  name: string;
  owner: Record<string, unknown>;
  /** absent when not written (dbt writes null) */
  description?: string;
  meta: Record<string, unknown>;
  file: string;
  /** the file's path below the folder it was found in (models/, …): dbt's `path` */
  pathInRoot?: string;
  line?: number;
}

const KEYS = ['name', 'owner', 'description', 'config'];
/** dbt's GroupConfig holds meta only */
const CONFIG_KEYS = ['meta'];

export function parseGroups(r: YamlEntries, value: unknown): GroupDef[] {
  const out: GroupDef[] = [];
  r.each(value, ['groups'], (raw, path, name) => {
    const { meta: topMeta, ...rest } = raw;
    r.keys(rest, KEYS, path, `group '${name}'`);
    // dbt reads a group's meta from its config only
    if (topMeta !== undefined) r.errors.push(r.yaml.error(`unknown key 'meta' in group '${name}'`, [...path, 'meta'], 'write it under config: config: {meta: {…}}'));
    if (!isPlainObject(raw.owner) || (raw.owner.name === undefined && raw.owner.email === undefined)) {
      r.errors.push(r.yaml.error(`group '${name}' needs an owner with a name or an email`, [...path, raw.owner === undefined ? 'name' : 'owner']));
      return;
    }
    const cpath = [...path, 'config'];
    const config = r.config(raw.config, cpath);
    r.keys(config, CONFIG_KEYS, cpath, `the config of group '${name}'`);
    const meta = config.meta ?? {};
    // a mistake is reported and the group still declared, so its models raise no second error
    if (!isPlainObject(meta)) r.errors.push(r.yaml.error(`'meta' of group '${name}' must be a mapping`, [...cpath, 'meta'], `e.g. meta: {slack: '#finance'}`));
    out.push({
      name,
      owner: raw.owner,
      description: raw.description === undefined || raw.description === null ? undefined : String(raw.description),
      meta: isPlainObject(meta) ? meta : {},
      file: r.yaml.relPath,
      line: r.yaml.lineOf(path),
    });
  });
  return out;
}
