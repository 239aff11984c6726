import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Temporary directories in use, removed if the process exits before their work ends (Ctrl-C exits from a signal handler). */
const live = new Set<string>();
let hooked = false;

function removeLeftovers(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
}

/**
 * Runs `fn` with the path of a file named `name` in a new directory under the
 * system's temporary folder, readable by this user only (mkdtemp: mode 0700).
 * The directory goes afterwards, whether `fn` succeeded or not.
 */
export async function withTempFile<T>(name: string, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'tsql-tmp-'));
  live.add(dir);
  if (!hooked) {
    hooked = true;
    process.on('exit', removeLeftovers);
  }
  try {
    return await fn(join(dir, name));
  } finally {
    live.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}
