import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startPgServer } from './helpers/pg-server.js';

/**
 * End-to-end tests run the real CLI (bin/tsql.js → dist/tsql.cjs), so build it first (scripts/build.mjs).
 * Then start a throwaway PostgreSQL server for the postgres tests (its
 * connection is provided to test files: pgConnection()); it is stopped on teardown.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
  const server = await startPgServer();
  project.provide('pg', server.connection);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    server.stop();
  };
  // An interrupted run still stops the server.
  process.once('exit', stop);
  return stop;
}
