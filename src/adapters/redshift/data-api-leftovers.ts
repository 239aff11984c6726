import { sleep, workerRunName, type RunIdentity } from '../run-lock.js';
import type { DataApiCalls } from './data-api.js';

/** Statuses of a statement that has not ended. */
const UNFINISHED = ['SUBMITTED', 'PICKED', 'STARTED'] as const;

/**
 * The Data API: ends the statements that other runs on this schema left
 * running (every statement of a run is named `tsql <key> <who>`;
 * ListStatements finds them by that prefix among the statements of the same
 * IAM role). Each is cancelled (CancelStatement), and the session it ran in is
 * ended (`pg_terminate_backend` on its RedshiftPid), so that a transaction it
 * left open releases its locks. The caller holds the run lock, so those runs
 * are gone: killed with SIGKILL, their statements went on without them. Waits
 * (bounded) until none is left.
 */
export async function endDataApiLeftovers(
  calls: DataApiCalls,
  where: { ClusterIdentifier?: string; WorkgroupName?: string; Database?: string },
  id: RunIdentity,
  terminate: (pid: number) => Promise<void>,
): Promise<void> {
  const prefix = `tsql ${id.key} `;
  const own = workerRunName(id);
  const leftovers = async (): Promise<string[]> => {
    const ids: string[] = [];
    for (const Status of UNFINISHED) {
      let NextToken: string | undefined;
      do {
        const page = await calls.listStatements({ ...where, StatementName: prefix, Status, NextToken, MaxResults: 100 });
        for (const st of page.Statements ?? []) if (st.Id && st.StatementName !== own && st.StatementName?.startsWith(prefix)) ids.push(st.Id);
        NextToken = page.NextToken || undefined;
      } while (NextToken);
    }
    return ids;
  };
  let ids = await leftovers();
  for (let round = 0; ids.length && round < 50; round++) {
    for (const statementId of ids) {
      const pid = await calls.describeStatement(statementId).then((d) => d.RedshiftPid ?? 0, () => 0);
      await calls.cancelStatement(statementId).catch(() => undefined);
      if (pid > 0) await terminate(pid).catch(() => undefined);
    }
    await sleep(100);
    ids = await leftovers();
  }
}
