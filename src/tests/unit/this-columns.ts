import type { Column } from '../../adapters/types.js';
import type { ModelNode } from '../../compiler/nodes.js';
import { contractColumns, contractEnforced, probeColumns } from '../../materializations/contract.js';
import type { MaterializeContext } from '../../materializations/context.js';

/** The columns of `this`, or why they cannot be known (to say in a warning). */
export type ThisColumns = { columns: Column[] } | { unknown: string };

/**
 * The columns of a model's own table, for typing the given rows of its `this`
 * input when the table does not exist yet (a fresh schema, a model never built):
 * its contract's columns and data types, else those of its compiled select, read
 * without scanning data. Neither can be known when the select is rendered only at
 * run time, or cannot run yet (the relations it reads are not built either): then
 * the reason, and the rows keep their literals' types.
 */
export async function columnsOfThis(ctx: MaterializeContext, model: ModelNode): Promise<ThisColumns> {
  if (contractEnforced(model)) return { columns: contractColumns(model) };
  if (model.renderAtRunTime?.includes('sql')) return { unknown: 'its SQL is rendered only when it runs' };
  // one probe per model and run: a model's unit tests may run at the same time, and would share its probe's name
  let probe = probed.get(model);
  if (!probe) {
    // the probe reads the model's parents: where they are missing it fails (asked again next time)
    probe = probeColumns(ctx, model).then(
      (cols): ThisColumns => (cols.length ? { columns: cols } : { unknown: 'its select returns no columns' }),
      (e: unknown): ThisColumns => {
        probed.delete(model);
        const first = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();
        return { unknown: `its select cannot run yet (${first})` };
      },
    );
    probed.set(model, probe);
  }
  return probe;
}

/** Probed shapes, by model node (a new compile makes new nodes). */
const probed = new WeakMap<ModelNode, Promise<ThisColumns>>();
