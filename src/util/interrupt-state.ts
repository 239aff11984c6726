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
