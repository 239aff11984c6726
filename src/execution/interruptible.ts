import { Script } from 'node:vm';
import { EXIT_INTERRUPTED, tellInterrupted } from './interrupt.js';

/**
 * Runs synchronous work (loading the project, compiling, which renders every template)
 * so that Ctrl-C stops it at once. A signal handler cannot run while JavaScript is busy, so a template stuck in
 * a loop would otherwise ignore Ctrl-C; V8's `breakOnSigint` interrupts the running code
 * instead. Nothing has been sent to a warehouse at this point, so tsql exits with 130
 * right away.
 */
const RUN = Symbol.for('tsql.interruptible.run');
const script = new Script(`globalThis[Symbol.for('tsql.interruptible.run')]()`, { filename: 'tsql-interruptible.js' });

export function runInterruptibly<T>(fn: () => T): T {
  const g = globalThis as unknown as Record<symbol, (() => T) | undefined>;
  // already inside (a compile started from a compile): the outer call listens
  if (g[RUN]) return fn();
  g[RUN] = fn;
  try {
    return script.runInThisContext({ breakOnSigint: true }) as T;
  } catch (e) {
    if (/Script execution was interrupted by `SIGINT`/.test(String((e as Error)?.message))) {
      tellInterrupted('Interrupted while loading or compiling the project; nothing was run.');
      process.exit(EXIT_INTERRUPTED);
    }
    throw e;
  } finally {
    g[RUN] = undefined;
  }
}
