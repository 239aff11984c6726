import type { Manifest } from '../../compiler/compiler.js';
import { plural as p } from '../reporter.js';

/** "3 models, 1 seed, 2 sources, 4 data tests, 12 macros" */
export function describeProject(manifest: Manifest): string {
  const counts = { model: 0, seed: 0, source: 0, test: 0, unit_test: 0 } as Record<string, number>;
  for (const n of manifest.nodes.values()) counts[n.resourceType] = (counts[n.resourceType] ?? 0) + 1;
  const macros = manifest.macros.filter((m) => !m.builtin).length;
  const extra = [counts.snapshot ? p(counts.snapshot, 'snapshot') : '', counts.analysis ? p(counts.analysis, 'analysis').replace('analysiss', 'analyses') : '', counts.exposure ? p(counts.exposure, 'exposure') : ''].filter(Boolean);
  return [p(counts.model, 'model'), p(counts.seed, 'seed'), p(counts.source, 'source'), p(counts.test, 'data test'), p(counts.unit_test, 'unit test'), ...extra, p(macros, 'macro')].join(', ');
}
