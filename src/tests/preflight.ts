import type { Column } from '../adapters/types.js';
import { relationKey, type Manifest } from '../compiler/compiler.js';
import { ErrorCollector, UserError } from '../errors.js';
import type { Plan } from '../plan/plan.js';
import { didYouMean } from '../util/suggest.js';

const PLAIN_COLUMN = /^"?([A-Za-z_][A-Za-z0-9_$]*)"?$/;

/**
 * Checks tests against the columns the warehouse reports, before anything runs:
 * a generic test on a column its model does not have, and unit-test rows with
 * columns their input does not have. Relations this run rebuilds are skipped:
 * their columns may be about to change.
 */
export function checkTestColumns(plan: Plan, manifest: Manifest, columns: Map<string, Column[]>): void {
  const errors = new ErrorCollector();
  const rebuilt = new Set(plan.steps.filter((s) => s.node.resourceType === 'model' || s.node.resourceType === 'seed').map((s) => s.id));
  const columnsOf = (id: string): Column[] | undefined => {
    if (rebuilt.has(id)) return undefined;
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
        if (!g.relation || (g.nodeId && rebuilt.has(g.nodeId))) continue;
        const cols = columns.get(relationKey(g.relation));
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
