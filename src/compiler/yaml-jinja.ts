import type { SourceTableDef } from '../project/schema-yaml.js';
import { normalizeConfigKey } from '../project/config-keys.js';

/** Text that holds Jinja (an expression or a statement). */
export const TEMPLATE = /\{\{|\{%/;

/**
 * dbt renders the Jinja in a source's properties, so packages can leave where
 * their raw data lives to the project (`schema: "{{ var('stripe_schema',
 * 'stripe') }}"`, `config: {enabled: "{{ var('using_invoices', true) }}"}`).
 * Its database, schema, identifier, loaded_at_field and config values are
 * rendered with `render` (the source's project's vars, target, env_var); an
 * `enabled` that renders to true/false is that boolean, a database that
 * renders to nothing is the connection's.
 */
export function renderSourceDefinition(def: SourceTableDef, render: (text: string) => string): SourceTableDef {
  const written = [def.database, def.schema, def.identifier, def.loadedAtField, ...Object.values(def.config)];
  if (!written.some((v) => typeof v === 'string' && TEMPLATE.test(v))) return def;
  const r = <T,>(v: T): T | string => (typeof v === 'string' && TEMPLATE.test(v) ? render(v).trim() : v);
  const config = Object.fromEntries(Object.entries(def.config).map(([k, v]) => [k, k === 'enabled' ? asBoolean(r(v)) : r(v)]));
  const database = r(def.database);
  return {
    ...def,
    database: database === '' ? undefined : database,
    schema: String(r(def.schema)),
    identifier: String(r(def.identifier)),
    loadedAtField: def.loadedAtField === undefined ? undefined : String(r(def.loadedAtField)),
    config,
  };
}

/** A rendered 'True' / 'false' is the boolean, as dbt's native rendering reads it. */
export function asBoolean(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim().toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : v;
}

/**
 * Keys rendered later, in the node's context, in either spelling: the hooks, as dbt defers them.
 * (dbt renders every other config key of a project or properties file when it reads it,
 * sql_header included.)
 */
const DEFERRED = new Set(['pre_hook', 'post_hook']);

/**
 * Jinja in a project file's folder config (`+enabled: "{{ var('x', false) }}"`) or in a
 * properties file's `config:` (`alias: "{{ var('orders_alias') }}"`), rendered for one node:
 * each string value but the hooks (rendered when the node is), with true/false as booleans,
 * and each string of a list (`+tags: ["{{ env_var('TEAM') }}"]`). A config without Jinja is
 * returned as is.
 */
export function renderConfigValues(config: Record<string, unknown>, render: (text: string) => string): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  const templated = (v: unknown): v is string => typeof v === 'string' && TEMPLATE.test(v);
  for (const [k, v] of Object.entries(config)) {
    if (DEFERRED.has(normalizeConfigKey(k))) continue;
    if (templated(v)) {
      out ??= { ...config };
      out[k] = asBoolean(render(v).trim());
    } else if (Array.isArray(v) && v.some(templated)) {
      out ??= { ...config };
      out[k] = v.map((x) => (templated(x) ? render(x).trim() : x));
    }
  }
  return out ?? config;
}
