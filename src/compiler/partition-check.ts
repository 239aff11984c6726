import { UserError } from '../errors.js';
import { partitionColumns } from '../materializations/partitions.js';
import type { ManifestNode } from './nodes.js';

/**
 * `partition_by` is acted on by incremental models with `incremental_strategy:
 * insert_overwrite` only (the partitions the new rows touch are replaced);
 * such a model needs it (elsewhere it warns where it is written: unsupported.ts).
 */
export function checkPartitions(nodes: Map<string, ManifestNode>): { errors: UserError[]; warnings: string[] } {
  const errors: UserError[] = [];
  const warnings: string[] = [];
  for (const n of nodes.values()) {
    if (n.resourceType !== 'model') continue;
    const overwrite = n.materialized === 'incremental' && n.config.incremental_strategy === 'insert_overwrite';
    const cols = partitionColumns(n.config.partition_by);
    if (overwrite && !cols?.length) {
      errors.push(new UserError(`model '${n.name}': incremental_strategy insert_overwrite needs partition_by (the columns whose partitions are replaced)`, { file: n.originalFilePath }, { hint: "config(partition_by=['event_date'])" }));
    } else if (overwrite && cols === undefined) {
      errors.push(new UserError(`model '${n.name}': partition_by must be a column, a list of columns or {field: column}`, { file: n.originalFilePath }));
    }
  }
  return { errors, warnings };
}
