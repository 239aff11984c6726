import { z } from 'zod';
import type { UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import type { YamlFile, YamlPath } from '../util/yaml-file.js';

/**
 * dbt's `quoting:` (project, source, table, or a model's config): whether the
 * database, schema and identifier are quoted exactly as written. It decides
 * names on engines that fold unquoted ones (Snowflake: a name quoted exactly
 * keeps its case; the default folds it to upper case); elsewhere tsql always
 * quotes names exactly as written.
 */
export const QUOTING_KEYS = ['database', 'schema', 'identifier'] as const;
export const quotingSchema = z.object({ database: z.boolean().optional(), schema: z.boolean().optional(), identifier: z.boolean().optional() }).strict();
export type Quoting = z.infer<typeof quotingSchema>;

/** A `quoting:` block read from YAML at `path`: its value, or the user error that names its line. */
export function readQuoting(yaml: YamlFile, v: unknown, path: YamlPath): { quoting?: Quoting; error?: UserError } {
  if (v === undefined || v === null) return {};
  const parsed = quotingSchema.safeParse(v);
  if (parsed.success) return { quoting: parsed.data };
  const issue = parsed.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    return { error: yaml.error(`unknown quoting key '${key}'`, [...path, key], didYouMean(key, [...QUOTING_KEYS]) ?? `quoting takes ${QUOTING_KEYS.join(', ')}`) };
  }
  return { error: yaml.error(`'quoting' takes database, schema and identifier set to true or false`, [...path, ...(issue.path as (string | number)[])]) };
}
