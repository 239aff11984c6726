/**
 * `tsql build | head -1`: once the reader closes the pipe, writing to it fails with EPIPE.
 * Node reports that as an unhandled 'error' event, which crashed tsql with a stack trace in the
 * middle of a run. What tsql prints is for the reader alone, so when the reader has gone the
 * output is dropped and the command goes on to its end, with its own exit code.
 */
export function ignoreClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
}
