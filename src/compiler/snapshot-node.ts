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
  const { isIncremental: _i, primaryKey: _p, constraints: _c, compiledCodeOwn: _o, sourceMapOwn: _so, materialized: _m, resourceType: _r, ...rest } = built;
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

/** dbt's macros behind its snapshot materialization, which projects override (the clock, most often). */
const SNAPSHOT_MACROS = [
  'snapshot_get_time', 'snapshot_hash_arguments', 'snapshot_staging_table', 'build_snapshot_table', 'build_snapshot_staging_table', 'snapshot_merge_sql',
  'snapshot_timestamp_strategy', 'snapshot_check_strategy', 'snapshot_check_all_get_existing_columns', 'snapshot_string_as_time', 'get_dbt_valid_to_current', 'create_columns', 'post_snapshot',
];
const SNAPSHOT_MACRO = new RegExp(`\\{%-?\\s*macro\\s+((?:[A-Za-z0-9_]+__)?(?:${SNAPSHOT_MACROS.join('|')}))\\s*\\(`, 'g');

/**
 * A project macro overriding part of dbt's snapshot materialization is not
 * called: tsql's snapshots are built in. One warning per macro, with its file
 * and line, so the project does not silently snapshot differently than intended.
 */
export function snapshotMacroWarnings(files: Array<{ relPath: string; text: string }>): string[] {
  const out: string[] = [];
  for (const f of files) {
    for (const m of f.text.matchAll(SNAPSHOT_MACRO)) {
      const line = f.text.slice(0, m.index).split('\n').length;
      out.push(`${f.relPath}:${line}: macro '${m[1]}' is not used: tsql builds snapshots itself (each engine's clock, dbt's dbt_scd_id hash), not through dbt's snapshot macros`);
    }
  }
  return out;
}
