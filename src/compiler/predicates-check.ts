import { placePrefix, UserError } from '../errors.js';
import { asStringList } from '../project/config-merge.js';
import type { LoadedProject } from '../project/load.js';
import { configOrigin } from './config-origin.js';
import type { ManifestNode } from './nodes.js';

/**
 * `incremental_predicates` narrow the target rows a merge, delete+insert or
 * insert_overwrite considers (materializations/incremental.ts). Where a model
 * has no such step (a table, a view, an append, microbatch batches, which
 * replace their window), a warning naming where the key is set. A delete
 * sees the target alone: DBT_INTERNAL_SOURCE there is an error.
 */
export function checkPredicates(nodes: Map<string, ManifestNode>, project: LoadedProject): { errors: UserError[]; warnings: string[] } {
  const warnings: string[] = [];
  const errors: UserError[] = [];
  for (const n of nodes.values()) {
    if (n.resourceType !== 'model') continue;
    const v = n.config.incremental_predicates;
    if (v === undefined || v === null || (Array.isArray(v) && !v.length)) continue;
    const strategy = n.config.incremental_strategy ?? (n.config.unique_key ? 'delete+insert' : 'append');
    let why: string | undefined;
    if (n.materialized !== 'incremental') why = `it applies to incremental models, and this one is materialized as '${n.materialized}'`;
    else if (strategy === 'append') why = 'an append deletes and matches nothing';
    else if (strategy === 'microbatch') why = "each microbatch batch replaces exactly its window";
    const place = configOrigin(n, 'incremental_predicates', project) ?? { file: n.originalFilePath };
    if (!why) {
      if (strategy !== 'merge' && asStringList(v).some((p) => /\bDBT_INTERNAL_SOURCE\b/i.test(p))) {
        errors.push(new UserError(`model '${n.name}': incremental_predicates name DBT_INTERNAL_SOURCE, but a ${strategy} deletes from the target alone`, place, { hint: 'refer to the target as DBT_INTERNAL_DEST (or leave its columns unqualified), or use incremental_strategy merge' }));
      }
      continue;
    }
    warnings.push(`${placePrefix(place)}model config 'incremental_predicates' is ignored for ${n.name}: ${why}`);
  }
  return { errors, warnings };
}
