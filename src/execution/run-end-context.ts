/**
 * What dbt gives on-run-end hooks besides the usual context: `results` (one
 * entry per node the run executed, as dbt's RunResult: `status`, `message`,
 * `failures`, `execution_time`, `adapter_response`, and the `node` with its
 * `unique_id`, `name`, `resource_type`, `database`, `schema`, `alias`…),
 * `schemas` (the schemas the run built relations in) and `database_schemas`
 * (those as `[database, schema]` pairs). Hooks that read them are rendered when
 * they run, after the last node (see compiler.ts, the `results` global).
 */
import type { Plan } from '../plan/plan.js';
import type { NodeResult } from './run-plan.js';

export interface RunEndContext {
  results: Array<Record<string, unknown>>;
  schemas: string[];
  database_schemas: Array<[string | undefined, string]>;
}

export function runEndContext(plan: Plan, results: Map<string, NodeResult>): RunEndContext {
  const out: RunEndContext = { results: [], schemas: [], database_schemas: [] };
  const seen = new Set<string>();
  for (const step of plan.steps) {
    const r = results.get(step.id);
    if (!r) continue;
    const n = step.node;
    const relation = 'relation' in n ? n.relation : undefined;
    out.results.push({
      status: r.status,
      message: r.message,
      failures: r.failures ?? null,
      execution_time: r.executionTime,
      thread_id: null,
      adapter_response: r.rowsAffected === undefined ? {} : { rows_affected: r.rowsAffected },
      timing: r.startedAt ? [{ name: 'execute', started_at: r.startedAt, completed_at: r.completedAt }] : [],
      node: {
        unique_id: n.uniqueId,
        name: n.name,
        resource_type: n.resourceType,
        package_name: n.packageName,
        original_file_path: n.originalFilePath,
        fqn: n.fqn,
        tags: n.tags,
        config: n.config,
        // a data test's or unit test's relation is none (its failing rows' table is named by store_failures)
        database: relation?.database ?? null,
        schema: relation?.schema ?? null,
        alias: relation?.identifier ?? null,
        relation_name: r.relationName ?? null,
        compiled_path: r.compiledPath ?? null,
      },
    });
    // the schemas the run built in: models, seeds and snapshots that ran (not tests, not skipped nodes)
    const builds = n.resourceType === 'model' || n.resourceType === 'seed' || n.resourceType === 'snapshot';
    if (!builds || !relation || r.status === 'skipped' || step.materialization === 'unload') continue;
    const key = `${relation.database ?? ''}.${relation.schema}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!out.schemas.includes(relation.schema)) out.schemas.push(relation.schema);
    out.database_schemas.push([relation.database, relation.schema]);
  }
  return out;
}
