import type { Adapter } from '../adapters/types.js';
import { isInterrupted, markInterrupted } from '../util/interrupt-state.js';

/**
 * Ctrl-C (SIGINT) or SIGTERM at any moment of a command:
 * 1. the run is marked interrupted: no node starts any more, a seed stops
 *    reading its file at the next piece, and every statement still running is
 *    cancelled on the server (a Postgres cancel request, Redshift's
 *    CancelStatement, Snowflake's abort, DuckDB's interrupt);
 * 2. the nodes that were running fail, drop what they had staged (the old
 *    relations stay: nothing is swapped in), and the command ends with 130,
 *    closing its connections on the way out;
 * 3. if that has not happened within STOP_WITHIN_MS, tsql interrupts what
 *    still runs once more and exits with 130 anyway. A second Ctrl-C does that
 *    at once.
 * DuckDB is never closed or left while a statement or an appender is in use on
 * it (that blocks forever or crashes): its statements are interrupted first,
 * and its connections refuse work once closed. While the project loads and
 * compiles (synchronous work, nothing sent anywhere yet) Ctrl-C ends the
 * process at once (interruptible.ts).
 */
const open = new Set<Adapter>();
let installed = false;

export function trackAdapter(adapter: Adapter): void {
  open.add(adapter);
}

export function untrackAdapter(adapter: Adapter): void {
  open.delete(adapter);
}

export const EXIT_INTERRUPTED = 130;
/** How long the run has to wind down by itself before tsql exits regardless. */
const STOP_WITHIN_MS = 1200;

/** A command that runs until stopped (`tsql docs serve`) handles Ctrl-C itself: nothing to cancel, a clean stop. */
let instead: (() => void) | undefined;
export function onInterrupt(handler: (() => void) | undefined): void {
  instead = handler;
}

/** Interrupts what runs on every open warehouse (DuckDB's interrupt is immediate) and exits 130. */
function exitNow(): never {
  for (const a of open) void a.cancelAll().catch(() => undefined);
  process.exit(EXIT_INTERRUPTED);
}

/** How the user is told (the CLI prints it as its log format says). */
let tell: (message: string) => void = (message) => process.stderr.write(message + '\n');

/** `notice` tells the user what happens (the CLI prints it as its log format says). */
export function installInterruptHandler(notice: (message: string) => void): void {
  if (installed) return;
  installed = true;
  tell = notice;
  const onSignal = (signal: NodeJS.Signals) => {
    if (instead) {
      instead();
      return;
    }
    if (isInterrupted()) exitNow();
    markInterrupted();
    tell(`${signal === 'SIGINT' ? 'Interrupted' : 'Terminated'}: cancelling ${open.size ? 'running statements' : 'the run'}…`);
    for (const a of open) {
      a.cancelAll().catch((e: unknown) => tell(`could not cancel: ${String((e as Error)?.message ?? e).split('\n')[0]}`));
    }
    // the run normally ends well before this (the command returns 130); it does not keep the process alive
    setTimeout(exitNow, STOP_WITHIN_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // pressed as the command was finishing: still 130, as at any other moment
  process.on('exit', () => {
    if (isInterrupted()) process.exitCode = EXIT_INTERRUPTED;
  });
}
