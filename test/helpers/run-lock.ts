/** Concurrent runs of the real CLI on one schema, for the run-lock tests. */
import type { ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { expect } from 'vitest';
import { runCliAsync, type CliResult } from './project.js';

/** This machine's name as a run names it (run-lock.ts: printable ASCII, 18 characters). */
export const HOST = hostname().replace(/[^\x21-\x7e]/g, '?').slice(0, 18);

/** Runs the CLI; `whenStarted` once a START line for a model appears. */
export function startRun(args: string[], dir: string, env: Record<string, string>, whenStarted?: (child: ChildProcess) => void): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  let fired = false;
  return runCliAsync(args, dir, env, (out, child) => {
    if (!fired && /START sql table model/.test(out)) {
      fired = true;
      whenStarted?.(child);
    }
  });
}

/**
 * A run (`firstArgs`, slow enough) and, once its first model started, two more
 * on the same schema: one that is refused, one with `--wait 60` that queues.
 * Checks what every engine must say, and returns the results for the rest.
 */
export async function collide(firstArgs: string[], dir: string, env: Record<string, string>, engineSchema: string): Promise<{ refused: CliResult; firstPid: number }> {
  let firstPid = 0;
  let second: Promise<CliResult> | undefined;
  let waiting: Promise<CliResult> | undefined;
  const first = await startRun(firstArgs, dir, env, (child) => {
    firstPid = child.pid ?? 0;
    second = runCliAsync(['run'], dir, env);
    waiting = runCliAsync(['run', '--wait', '60'], dir, env);
  });
  expect(first.code, first.stdout + first.stderr).toBe(0);
  const refused = await second!;
  expect(refused.code, refused.stdout + refused.stderr).toBe(1);
  expect(refused.stderr).toContain(`error: another tsql run holds the lock on ${engineSchema}`);
  expect(refused.stderr).toContain(`: on host ${HOST}, pid ${firstPid}, started `);
  expect(refused.stderr).toMatch(/started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  expect(refused.stderr).toMatch(/; wait for it to finish, or pass --wait \[SECONDS\] to queue behind it/);
  expect(refused.stdout).not.toContain('START');
  const queued = await waiting!;
  expect(queued.code, queued.stdout + queued.stderr).toBe(0);
  expect(queued.stdout).toMatch(/another tsql run holds the lock .*; waiting up to 60 s/);
  expect(queued.stdout).toMatch(/OK created sql table model/);
  return { refused, firstPid };
}
