/**
 * Ctrl-C and SIGTERM at any moment of a run: loading the project, compiling,
 * reading and loading a seed, while a statement runs, while writing artifacts.
 * Each time tsql must exit with 130 within 2 s of the signal, never crash
 * (no segmentation fault, no abort, no stack trace), cancel what runs, and
 * leave every relation as it was: the previous table is still there, whole and
 * readable, and nothing staged is left behind.
 */
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCliAsync, useProjects, type TempProject } from '../helpers/project.js';
import type { ChildProcess } from 'node:child_process';
import { watchCli, type WatchedRun } from '../helpers/watch-cli.js';

const project = useProjects();
const SLOW = (k: number) => `{{ config(materialized='table') }}\nselect count(*) as n from range(50000000000) t(i) where i % ${k} = 3\n`;

/**
 * Tsql stopped as asked: 130 soon after the signal, no crash, no stack trace.
 * While it loads and compiles the project (nothing sent anywhere yet) Ctrl-C
 * ends the process itself, which a shell reports as 130 too. A signal that
 * arrives once the run has finished, as the process exits (its last
 * JavaScript has run), cannot be acted on: the run's own exit code stands.
 */
function expectStopped(run: WatchedRun, sentAt: number | undefined): void {
  const out = run.stdout + run.stderr;
  expect(sentAt, out).toBeDefined();
  if (run.signal === 'SIGINT' || run.signal === 'SIGTERM') expect(run.stdout, 'ended by the signal only before anything ran').not.toMatch(/START|Running with/);
  else if (run.code === 0) {
    expect(run.stdout, `exit 0 only when the run had finished: ${out}`).toMatch(/Completed successfully|Compiled \d+/);
    expect(run.exitedAt - sentAt!, `and the signal came as it exited: ${out}`).toBeLessThan(300);
  } else expect(run.code, out).toBe(130);
  expect(run.exitedAt - sentAt!, out).toBeLessThan(2000);
  expect(out).not.toMatch(/Segmentation fault|core dumped|Aborted|internal error|\n\s+at .*:\d+:\d+/);
}

/**
 * Runs the CLI and sends `signal` `delayMs` after the first stdout line matching
 * `when`, or `afterMs` after it started; `sentAt` is counted from its start.
 */
async function interrupt(p: TempProject, args: string[], how: { when?: RegExp; delayMs?: number; afterMs?: number; signal?: NodeJS.Signals }): Promise<{ run: WatchedRun; sentAt: number | undefined }> {
  let sentAt: number | undefined;
  let startedAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const send = (child: ChildProcess) => {
    if (sentAt !== undefined || child.exitCode !== null || child.signalCode !== null) return;
    sentAt = Date.now() - startedAt;
    child.kill(how.signal ?? 'SIGINT');
  };
  const run = await watchCli(args, p.dir, {
    onStart: (child) => {
      startedAt = Date.now();
      if (how.afterMs !== undefined) timer = setTimeout(() => send(child), how.afterMs);
    },
    onLine: (line, child) => {
      if (how.when && !timer && how.when.test(line.text)) timer = setTimeout(() => send(child), how.delayMs ?? 0);
    },
  });
  clearTimeout(timer);
  // counted from the same start as run.exitedAt (watchCli's, a moment earlier)
  return { run, sentAt: sentAt === undefined ? undefined : sentAt + (startedAt - run.startedAt) };
}

describe('interrupting a DuckDB run', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} while two statements run: both stop, exit 130 promptly, the old tables stay, and the next run opens the database`, async () => {
      const p = project({ 'models/slow_a.sql': "{{ config(materialized='table') }}\nselect 1 as n\n", 'models/slow_b.sql': "{{ config(materialized='table') }}\nselect 2 as n\n", 'models/quick.sql': 'select 1 as id\n' });
      expect(p.tsql(['run']).code).toBe(0);
      p.write({ 'models/slow_a.sql': SLOW(7), 'models/slow_b.sql': SLOW(5) });
      const { run, sentAt } = await interrupt(p, ['run', '--select', 'slow_a', 'slow_b'], { when: /START sql table model main\.slow_b|START sql table model main\.slow_a/, delayMs: 800, signal });
      expectStopped(run, sentAt);
      expect(run.stderr + run.stdout).toMatch(signal === 'SIGINT' ? /Interrupted: cancelling running statements/ : /Terminated: cancelling running statements/);
      // the old tables, whole; nothing staged left
      expect(await p.query('select (select n from slow_a) as a, (select n from slow_b) as b')).toEqual([{ a: 1, b: 2 }]);
      expect(await p.query("select table_name from information_schema.tables where table_name like '%\\_\\_tsql%' escape '\\'"), run.stdout + run.stderr).toEqual([]);
      // the lock is gone: a new run works at once
      const next = await runCliAsync(['run', '--select', 'quick'], p.dir);
      expect(next.code, next.stdout + next.stderr).toBe(0);
    });
  }
});

describe('Ctrl-C while a seed is read and loaded', () => {
  it('stops within 2 s every time, never crashes, and leaves the previous table (8 times)', async () => {
    const p = project({ 'seeds/events.csv': 'id,name,amount\n1,a,1.5\n2,b,2.5\n' });
    expect(p.tsql(['seed']).code).toBe(0);
    // about 120 MB: several seconds to load (40 MB took under 2 s)
    let body = '';
    for (let i = 0; i < 40_000; i++) body += `${i},"name ${i % 97}, with ""quotes""",${i % 1000}.25\n`;
    writeFileSync(join(p.dir, 'seeds', 'events.csv'), 'id,name,amount\n' + body.repeat(75));
    // different moments of the load: reading its first pieces, well into it
    const delays = [0, 150, 300, 600, 900, 1200, 1600, 2000];
    for (const delayMs of delays) {
      const { run, sentAt } = await interrupt(p, ['seed'], { when: /START seed file main\.events/, delayMs });
      expectStopped(run, sentAt);
      expect(await p.query('select count(*)::int as n, sum(amount)::double as s from events')).toEqual([{ n: 2, s: 4 }]);
      expect(await p.query("select count(*)::int as n from information_schema.tables where table_name like 'events__tsql%'")).toEqual([{ n: 0 }]);
    }
  }, 300_000);
});

describe('Ctrl-C while the project loads, compiles, runs and writes its artifacts', () => {
  it('stops within 2 s at every moment of a run of many models, leaving the previous table', async () => {
    const files: Record<string, string> = {
      'models/base.sql': "{{ config(materialized='table') }}\nselect 1 as id, 'old' as v\n",
    };
    for (let i = 0; i < 1500; i++) files[`models/m/m${i}.sql`] = `-- model ${i}\nselect id, v, ${i} as k from {{ ref('${i % 10 === 0 ? 'base' : `m${i - 1}`}') }}\n`;
    const p = project(files);
    expect(p.tsql(['run', '--select', 'base']).code).toBe(0);
    p.write({ 'models/base.sql': "{{ config(materialized='table') }}\nselect 2 as id, 'new' as v\n" });
    // from the first moments (modules, project files, compiling) to the run and its artifacts
    for (const afterMs of [150, 300, 500, 700, 1100, 1600, 2400, 3500, 5000]) {
      const { run, sentAt } = await interrupt(p, ['run'], { afterMs });
      if (sentAt === undefined) continue; // it had finished before the moment came: nothing to stop
      expectStopped(run, sentAt);
      const rows = await p.query('select id, v from base');
      expect(rows.length).toBe(1);
      // the old table or, if base was swapped in before the signal, the new one: never neither, never half
      expect([{ id: 1, v: 'old' }, { id: 2, v: 'new' }]).toContainEqual(rows[0]);
      expect(await p.query("select table_name from information_schema.tables where table_name like '%\\_\\_tsql%' escape '\\'"), run.stdout + run.stderr).toEqual([]);
    }
    // compile ends writing 1,500 compiled files and the manifest: stop it there too
    const whole = await watchCli(['compile'], p.dir);
    expect(whole.code).toBe(0);
    for (const share of [0.7, 0.8, 0.9, 0.95]) {
      const { run, sentAt } = await interrupt(p, ['compile'], { afterMs: Math.round(whole.exitedAt * share) });
      if (sentAt === undefined) continue;
      expectStopped(run, sentAt);
      expect(JSON.parse(readFileSync(join(p.dir, 'target', 'manifest.json'), 'utf8')).nodes).toBeTypeOf('object');
    }
  }, 300_000);
});
