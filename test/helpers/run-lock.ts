/** Concurrent runs of the real CLI on one schema, for the run-lock tests. */
import type { ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { expect } from 'vitest';
import pg from 'pg';
import { pgConnection } from './pg-server.js';
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
 * A run (`firstArgs`) whose model is held by the test until `release()` and,
 * once that model started, two more on the same schema: one that is refused,
 * one with `--wait 60` that queues. The first run is released only when the
 * refused one has ended and the queued one says it waits, so the outcome does
 * not depend on how fast the machine starts the other two. Checks what every
 * engine must say, and returns the results for the rest.
 */
export async function collide(firstArgs: string[], dir: string, env: Record<string, string>, engineSchema: string, release: () => Promise<void> | void): Promise<{ refused: CliResult; firstPid: number }> {
  let firstPid = 0;
  let second: Promise<CliResult> | undefined;
  let waiting: Promise<CliResult> | undefined;
  let queuedSaysItWaits: () => void = () => undefined;
  const saysItWaits = new Promise<void>((resolve) => (queuedSaysItWaits = resolve));
  const first = await startRun(firstArgs, dir, env, (child) => {
    firstPid = child.pid ?? 0;
    second = runCliAsync(['run'], dir, env);
    waiting = runCliAsync(['run', '--wait', '60'], dir, env, (out) => {
      if (/waiting up to 60 s/.test(out)) queuedSaysItWaits();
    });
    void Promise.all([second, Promise.race([saysItWaits, waiting])]).then(() => release());
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

/** A model that waits, inside its statement, until the test opens a gate (pgGate) on the same database. */
export const GATED_PG_MODEL = "{{ config(materialized='table') }}\nselect 1 as id from (select pg_advisory_xact_lock_shared(4242, 1)) s\n";

/**
 * Closes the gate GATED_PG_MODEL waits at (an advisory lock the test holds on
 * `database` of the suite's PostgreSQL server); `release` opens it.
 */
export async function pgGate(database?: string): Promise<{ release: () => Promise<void> }> {
  const c = pgConnection();
  const client = new pg.Client({ ...c, database: database ?? c.database });
  await client.connect();
  await client.query('select pg_advisory_lock(4242, 1)');
  return { release: () => client.end() };
}
