import { UserError } from '../errors.js';
import { lineOfCall } from '../templating/context-helpers.js';
import type { SnapshotFile } from '../project/snapshot-files.js';
import { snapshotSpec } from '../project/snapshot-config.js';
import type { ModelNode, SnapshotNode } from './nodes.js';

/**
 * A snapshot's node from what the compiler rendered for it (its select, config,
 * relation, hooks, dependencies): the config checked into a SnapshotSpec, each
 * mistake an error at the snapshot's `config()` call, or its block or YAML
 * entry. `schema` beside dbt's legacy `target_schema` is a warning: the legacy
 * key wins, as in dbt.
 */
export function snapshotNode(built: ModelNode, file: SnapshotFile, warnings: string[]): { node?: SnapshotNode; errors: UserError[] } {
  const place = { file: file.relPath, line: (!file.fromYaml && lineOfCall(file.text, 'config')) || file.line };
  const { spec, errors } = snapshotSpec(built.name, built.config, place);
  for (const [legacy, key] of [['target_schema', 'schema'], ['target_database', 'database']] as const) {
    if (isSet(built.config[legacy]) && isSet(built.config[key])) {
      warnings.push(`${place.file}:${place.line}: snapshot '${built.name}': ${key} is ignored because ${legacy} is set (dbt's legacy key wins); keep one`);
    }
  }
  if (!spec) return { errors };
  const { isIncremental: _i, primaryKey: _p, constraints: _c, compiledCodeOwn: _o, materialized: _m, resourceType: _r, ...rest } = built;
  return { node: { ...rest, resourceType: 'snapshot', materialized: 'snapshot', rawCode: file.rawCode, snapshot: spec, line: file.line }, errors };
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

/** The relation's schema and database as dbt's legacy keys give them: exactly as written, without generate_schema_name. */
export function legacySnapshotPlace(config: Record<string, unknown>): { schema?: string; database?: string } {
  return {
    schema: isSet(config.target_schema) ? String(config.target_schema).trim() : undefined,
    database: isSet(config.target_database) ? String(config.target_database).trim() : undefined,
  };
}
