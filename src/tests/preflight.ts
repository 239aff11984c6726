import type { Column, Relation } from '../adapters/types.js';
import type { ManifestNode } from '../compiler/nodes.js';
import { relationKey, type Manifest } from '../compiler/compiler.js';
import { ErrorCollector, UserError } from '../errors.js';
import type { Plan } from '../plan/plan.js';
import { didYouMean } from '../util/suggest.js';

/** A test's column as a plain name (quoted or not), not an expression. */
export const PLAIN_COLUMN = /^"?([A-Za-z_][A-Za-z0-9_$]*)"?$/;

/**
 * Checks tests against the columns the warehouse reports, before anything runs:
 * a generic test on a column its model does not have, and unit-test rows with
 * columns their input does not have. A relation this run rebuilds is checked
 * against the columns it will have (`inferred`, inferred-columns.ts) when they
 * are certain, and skipped otherwise (checked right after it is built).
 */
export function checkTestColumns(plan: Plan, manifest: Manifest, columns: Map<string, Column[]>, inferred: Map<string, string[]> = new Map()): void {
  const errors = new ErrorCollector();
  const rebuilt = new Set(plan.steps.filter((s) => s.node.resourceType === 'model' || s.node.resourceType === 'seed' || s.node.resourceType === 'snapshot').map((s) => s.id));
  const columnsOf = (id: string): Column[] | undefined => {
    if (rebuilt.has(id)) return inferred.get(id)?.map((name) => ({ name, dataType: '' }));
    const n = manifest.nodes.get(id);
    return n && 'relation' in n ? columns.get(relationKey(n.relation)) : undefined;
  };
  for (const step of plan.steps) {
    const n = step.node;
    if (n.resourceType === 'test' && n.attachedNode && typeof n.columnName === 'string') {
      const m = PLAIN_COLUMN.exec(n.columnName);
      const cols = columnsOf(n.attachedNode);
      if (!m || !cols) continue;
      if (!cols.some((c) => c.name.toLowerCase() === m[1].toLowerCase())) {
        const target = manifest.nodes.get(n.attachedNode)!;
        errors.add(new UserError(`test '${n.testMetadata?.name ?? n.name}' is on column '${n.columnName}', which ${target.resourceType} '${target.name}' does not have`, { file: n.originalFilePath, line: n.line }, { hint: didYouMean(m[1], cols.map((c) => c.name)) ?? `its columns: ${cols.map((c) => c.name).join(', ')}` }));
      }
    }
    if (n.resourceType === 'unit_test') {
      for (const g of n.given) {
        if (!g.relation) continue;
        const cols = g.nodeId && rebuilt.has(g.nodeId) ? columnsOf(g.nodeId) : columns.get(relationKey(g.relation));
        if (!cols) continue;
        const known = new Set(cols.map((c) => c.name.toLowerCase()));
        const unknown = g.columns.filter((c) => !known.has(c.toLowerCase()));
        if (unknown.length) {
          const hint = unknown.length === 1 ? didYouMean(unknown[0], cols.map((c) => c.name)) : undefined;
          errors.add(new UserError(`unit test '${n.name}': the given rows of ${g.input} have column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}, which the input does not have`, { file: n.originalFilePath, line: n.line }, { hint: hint ?? `its columns: ${cols.map((c) => c.name).join(', ')}` }));
        }
      }
    }
  }
  errors.throwIfAny();
}

/**
 * The same check for what `checkTestColumns` had to skip: a test on a model or
 * seed this run rebuilds (its columns are known only once it is built). Runs
 * right before the test, after its model was built, with the columns the
 * warehouse now reports; throws the same one-line error (with file and line),
 * so the test errors instead of sending a query that cannot work.
 */
export async function checkBuiltColumns(node: ManifestNode, rebuilt: Map<string, ManifestNode>, columnsOf: (rel: Relation) => Promise<Column[]>): Promise<void> {
  if (node.resourceType === 'test' && node.attachedNode && typeof node.columnName === 'string') {
    const m = PLAIN_COLUMN.exec(node.columnName);
    const target = rebuilt.get(node.attachedNode);
    if (!m || !target || !('relation' in target)) return;
    const cols = await columnsOf(target.relation);
    if (!cols.length || cols.some((c) => c.name.toLowerCase() === m[1].toLowerCase())) return;
    throw new UserError(`test '${node.testMetadata?.name ?? node.name}' is on column '${node.columnName}', which ${target.resourceType} '${target.name}' does not have`, { file: node.originalFilePath, line: node.line }, { hint: didYouMean(m[1], cols.map((c) => c.name)) ?? `its columns: ${cols.map((c) => c.name).join(', ')}` });
  }
  if (node.resourceType === 'unit_test') {
    for (const g of node.given) {
      if (!g.relation || !g.nodeId || !rebuilt.has(g.nodeId)) continue;
      const cols = await columnsOf(g.relation);
      if (!cols.length) continue;
      const known = new Set(cols.map((c) => c.name.toLowerCase()));
      const unknown = g.columns.filter((c) => !known.has(c.toLowerCase()));
      if (unknown.length) {
        const hint = unknown.length === 1 ? didYouMean(unknown[0], cols.map((c) => c.name)) : undefined;
        throw new UserError(`unit test '${node.name}': the given rows of ${g.input} have column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}, which the input does not have`, { file: node.originalFilePath, line: node.line }, { hint: hint ?? `its columns: ${cols.map((c) => c.name).join(', ')}` });
      }
    }
  }
}
