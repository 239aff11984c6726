/**
 * Runs synchronous work (loading the project, compiling, which renders every
 * template) so that Ctrl-C or SIGTERM stops it at once. A signal handler cannot
 * run while JavaScript is busy, so a big project (or a template stuck in a
 * loop) would otherwise ignore the signal until it is done. While `fn` runs,
 * tsql's SIGINT and SIGTERM handlers step aside and the signal's default
 * applies: the process ends at once, as the shell reports with status 130
 * (143 for SIGTERM). Nothing has been sent to a warehouse at this point (a run
 * lock or an open DuckDB file is released with the process).
 *
 * (V8's `breakOnSigint`, used before, loses a signal that arrives as its script
 * starts or ends: the run then went on as if nothing had been pressed.)
 *
 * A signal that arrived while JavaScript was busy waits in the event loop, and
 * removing the handlers drops it: call `checkpoint()` (util/interrupt-state.ts)
 * right before, with no synchronous work in between.
 */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export function runInterruptibly<T>(fn: () => T): T {
  const saved = SIGNALS.map((s) => [s, process.listeners(s)] as const);
  // already inside (a compile started from a compile): the outer call did this
  if (saved.every(([, ls]) => !ls.length)) return fn();
  for (const s of SIGNALS) process.removeAllListeners(s);
  try {
    return fn();
  } finally {
    for (const [s, ls] of saved) for (const l of ls) process.on(s, l);
  }
}
