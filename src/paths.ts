import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of tsql's compiled code (dist/). The CLI runs one bundle of that code,
 * dist/tsql.cjs (scripts/build.mjs), which lives in the same folder, so a file tsql reads
 * from its own installation has the same path from the bundle and from dist/'s modules.
 */
export const CODE_DIR = fileURLToPath(new URL('.', import.meta.url));

/** A file of tsql's installation, by its path relative to dist/ (`../package.json`, `docs/site/app.js`). */
export function codePath(rel: string): string {
  return join(CODE_DIR, rel);
}
