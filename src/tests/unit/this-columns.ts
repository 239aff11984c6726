import type { Column } from '../../adapters/types.js';
import type { ModelNode } from '../../compiler/nodes.js';
import { contractColumns, contractEnforced, probeColumns } from '../../materializations/contract.js';
import type { MaterializeContext } from '../../materializations/context.js';

/**
 * The columns of a model's own table, for typing the given rows of its `this`
 * input when the table does not exist yet (a fresh schema, a model never built):
 * its contract's columns and data types, else those of its compiled select, read
 * without scanning data. Undefined when neither can be known: the select is
 * rendered only at run time, or it cannot run yet (the relations it reads are
 * not built either); the rows then keep their literals' types, as before.
 */
export async function columnsOfThis(ctx: MaterializeContext, model: ModelNode | undefined): Promise<Column[] | undefined> {
  if (!model) return undefined;
  if (contractEnforced(model)) return contractColumns(model);
  if (model.renderAtRunTime?.includes('sql')) return undefined;
  // one probe per model and run: a model's unit tests may run at the same time, and would share its probe's name
  let probe = probed.get(model);
  if (!probe) {
    // the probe reads the model's parents: where they are missing it fails, and the rows stay untyped (asked again next time)
    probe = probeColumns(ctx, model).then(
      (cols) => (cols.length ? cols : undefined),
      () => {
        probed.delete(model);
        return undefined;
      },
    );
    probed.set(model, probe);
  }
  return probe;
}

/** Probed shapes, by model node (a new compile makes new nodes). */
const probed = new WeakMap<ModelNode, Promise<Column[] | undefined>>();
