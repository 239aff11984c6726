/**
 * Whether the user has asked the run to stop (Ctrl-C, SIGTERM). Set by the
 * signal handler (execution/interrupt.ts); long loops (reading a seed file,
 * starting the next node) look at it between steps and stop there.
 */
let interrupted = false;

export class InterruptedError extends Error {
  constructor() {
    super('interrupted');
    this.name = 'InterruptedError';
  }
}

export function markInterrupted(): void {
  interrupted = true;
}

export function isInterrupted(): boolean {
  return interrupted;
}

export function throwIfInterrupted(): void {
  if (interrupted) throw new InterruptedError();
}

/**
 * Lets a signal that arrived while JavaScript was busy reach its handler (it
 * waits in the event loop), then stops if it was Ctrl-C. Called before
 * synchronous work that runs with Ctrl-C's default (execution/interruptible.ts):
 * a signal still waiting when the handler steps aside would be dropped.
 */
export async function checkpoint(): Promise<void> {
  // twice: the first may run before the event loop next polls (where a waiting signal is read)
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
  throwIfInterrupted();
}
