/** Everything a run reports, as plain data; the CLI decides how to print it. */
export type RunEvent =
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'hook'; which: 'on-run-start' | 'on-run-end'; index: number; total: number; status: 'success' | 'error'; seconds: number; message?: string }
  | { type: 'node_start'; index: number; total: number; uniqueId: string; label: string }
  | { type: 'node_end'; index: number; total: number; uniqueId: string; label: string; status: string; message: string; seconds: number; failures?: number }
  /** one batch of a microbatch model (node `uniqueId`), `label` its window: 2024-01-03 */
  | { type: 'batch_end'; uniqueId: string; index: number; total: number; label: string; status: 'success' | 'error' | 'skipped'; message: string; seconds: number }
  | { type: 'summary'; counts: Record<string, number>; seconds: number; description: string };

export type EventSink = (e: RunEvent) => void;
