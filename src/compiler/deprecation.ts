import { placePrefix } from '../errors.js';
import { refLine } from './access.js';
import type { ManifestNode, ModelNode } from './nodes.js';

/**
 * dbt's model deprecation: a model whose `deprecation_date` has passed is a
 * warning at that date's line, and every node that refs a model with a
 * deprecation date is a warning at the ref's line (slated for deprecation,
 * or deprecated once the date has passed). Tests of the model are not refs.
 * `changesAt`: when these warnings next change as time passes (the first date
 * still ahead of `now`, in ms): a kept compile is right until then (compile-cache.ts).
 */
export function deprecationWarnings(nodes: Map<string, ManifestNode>, now: Date): { warnings: string[]; changesAt?: number } {
  const out: string[] = [];
  let changesAt: number | undefined;
  const at = (file: string, line: number | undefined) => placePrefix({ file, line });
  for (const n of nodes.values()) {
    if (n.resourceType !== 'model' || !n.deprecation) continue;
    const date = new Date(n.deprecation.date).getTime();
    if (date <= now.getTime()) {
      out.push(`${at(n.patchPath ?? n.originalFilePath, n.deprecation.line)}model '${n.name}' has passed its deprecation date of ${n.deprecation.written}: disable or remove it`);
    } else if (changesAt === undefined || date < changesAt) changesAt = date;
  }
  for (const n of nodes.values()) {
    if (n.resourceType === 'test' || n.resourceType === 'unit_test' || n.resourceType === 'source') continue;
    for (const id of n.dependsOn.nodes) {
      const m = nodes.get(id);
      if (m?.resourceType !== 'model' || !(m as ModelNode).deprecation) continue;
      const { date, written } = (m as ModelNode).deprecation!;
      const line = n.resourceType === 'exposure' ? n.line : refLine('rawCode' in n ? n.rawCode : undefined, m.name);
      const when = new Date(date) <= now ? `which was deprecated on ${written}` : `which is slated for deprecation on ${written}`;
      out.push(`${at(n.originalFilePath, line)}${n.resourceType} '${n.name}' refs model '${m.name}', ${when}`);
    }
  }
  return { warnings: out, changesAt };
}
