import type { Adapter } from '../adapters/types.js';

/**
 * Ctrl-C (SIGINT) or SIGTERM during a run: every statement still running is
 * cancelled on the server (a Postgres cancel request, Redshift's CancelStatement,
 * DuckDB's interrupt) before tsql exits with 130, so nothing keeps running or
 * holding locks after the command is gone. A second Ctrl-C exits at once.
 */
const open = new Set<Adapter>();
let installed = false;
let interrupted = false;

export function trackAdapter(adapter: Adapter): void {
  open.add(adapter);
}

export function untrackAdapter(adapter: Adapter): void {
  open.delete(adapter);
}

export const EXIT_INTERRUPTED = 130;

/** A command that runs until stopped (`tsql docs serve`) handles Ctrl-C itself: nothing to cancel, a clean stop. */
let instead: (() => void) | undefined;
export function onInterrupt(handler: (() => void) | undefined): void {
  instead = handler;
}
const CANCEL_TIMEOUT_MS = 15_000;

export function installInterruptHandler(): void {
  if (installed) return;
  installed = true;
  const onSignal = (signal: NodeJS.Signals) => {
    if (instead) {
      instead();
      return;
    }
    if (interrupted) process.exit(EXIT_INTERRUPTED);
    interrupted = true;
    process.stderr.write(`\n${signal === 'SIGINT' ? 'Interrupted' : 'Terminated'}: cancelling ${open.size ? 'running statements' : 'the run'}…\n`);
    const adapters = [...open];
    const give = setTimeout(() => {
      process.stderr.write('cancelling took too long; exiting without confirmation\n');
      process.exit(EXIT_INTERRUPTED);
    }, CANCEL_TIMEOUT_MS);
    void Promise.allSettled(adapters.map((a) => a.cancelAll()))
      .then((results) => {
        const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
        for (const f of failed) process.stderr.write(`could not cancel: ${String((f.reason as Error)?.message ?? f.reason).split('\n')[0]}\n`);
        return Promise.allSettled(adapters.map((a) => a.close()));
      })
      .finally(() => {
        clearTimeout(give);
        process.stderr.write('Cancelled.\n');
        process.exit(EXIT_INTERRUPTED);
      });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
