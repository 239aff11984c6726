/**
 * The sha256 of a seed file for the manifest (state:modified compares it). A
 * small file is hashed at once; a big one (over INLINE_HASH_BYTES) in a worker
 * thread, in the background, so that reading a gigabyte does not hold up the
 * run's start: the manifest is written once its hashes are done, and a
 * comparison with --state waits for them first.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { fileSha256 } from '../project/load.js';

/** Files up to this size are hashed while compiling (dbt's limit for hashing a seed at all). */
export const INLINE_HASH_BYTES = 1 << 20;

/** Self-contained (CommonJS) so it runs the same from dist/ and from the sources under test. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const hash = createHash('sha256');
const fd = openSync(workerData, 'r');
const buf = Buffer.allocUnsafe(1 << 20);
for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) hash.update(buf.subarray(0, n));
closeSync(fd);
parentPort.postMessage(hash.digest('hex'));
`;

const hashing = new Map<string, Promise<string>>();
/** Workers still hashing: they do not keep the process alive unless someone waits for them. */
const live = new Set<Worker>();

/** The file's sha256 now (a small file), or a promise of it (a big one, hashed once per process). */
export function seedChecksum(absPath: string): string | Promise<string> {
  const st = statSync(absPath);
  if (st.size <= INLINE_HASH_BYTES) return fileSha256(absPath);
  const key = `${absPath}\0${st.size}\0${st.mtimeMs}`;
  let p = hashing.get(key);
  if (!p) {
    p = hashInWorker(absPath);
    hashing.set(key, p);
  }
  return p;
}

function hashInWorker(absPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: absPath });
    live.add(worker);
    worker.unref();
    worker.once('message', (hex: string) => resolve(hex));
    worker.once('error', reject);
    worker.once('exit', () => {
      live.delete(worker);
      reject(new Error(`hashing ${absPath} stopped`));
    });
  });
}

/**
 * Fills in the checksums that were still being computed when the manifest was
 * compiled. Never rejects: a file that cannot be read (its seed fails to load
 * anyway) keeps an empty checksum.
 */
export async function settleChecksums(pending: Array<Promise<unknown>>): Promise<void> {
  if (!pending.length) return;
  // someone waits now: the workers keep the process alive until they are done
  for (const w of live) w.ref();
  await Promise.allSettled(pending);
}
