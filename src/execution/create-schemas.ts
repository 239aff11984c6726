import type { Adapter } from '../adapters/types.js';
import { WarehouseError } from '../errors.js';
import type { PlanSchema } from '../plan/plan.js';
import { isInterrupted } from '../util/interrupt-state.js';

/**
 * Creates every schema the plan writes to, up front, on the warehouse that owns
 * it. A schema the warehouse refuses (no CREATE privilege on the database, say)
 * stops the run with one line naming it: nothing has run yet, and no node could.
 */
export async function createPlanSchemas(schemas: PlanSchema[], adapterOf: (connection: string | undefined) => Adapter): Promise<void> {
  const byConnection = new Map<string | undefined, PlanSchema[]>();
  for (const s of schemas) byConnection.set(s.connection, [...(byConnection.get(s.connection) ?? []), s]);
  for (const [connection, list] of byConnection) {
    const adapter = adapterOf(connection);
    // An engine with native external tables (Redshift Spectrum) creates their schemas as external schemas itself.
    const wanted = list.filter((s) => !(s.externalOnly && adapter.stageExternal));
    if (!wanted.length) continue;
    await adapter.withConnection(async (c) => {
      for (const s of wanted) {
        try {
          await c.execute(adapter.dialect.createSchema(s.database, s.schema));
        } catch (e) {
          if (isInterrupted() || e instanceof WarehouseError) throw e;
          const where = s.database ? `${s.schema} in database ${s.database}` : s.schema;
          throw new WarehouseError(`cannot create schema ${where} on ${adapter.describe()}: ${(e as Error)?.message ?? String(e)}`);
        }
      }
    });
  }
}
