/**
 * The example project's own CI recipe (.github/workflows/tsql-ci.yml), run as
 * written: the production job's steps on the main branch, then a pull request
 * that changes one model, and the pull-request job's steps in a fresh checkout
 * holding only production's artifacts. What GitHub alone provides is stood in
 * for: the artifact download (the folder is copied), `npx tsql` (this
 * repository's CLI), $GITHUB_STEP_SUMMARY (a file). The Jenkinsfile must run
 * the same tsql commands.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BIN, copyExample, queryDuckDB, REPO_ROOT } from '../helpers/project.js';

interface Step {
  name?: string;
  run?: string;
  uses?: string;
}
interface Workflow {
  env: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
}

const workflow = parse(readFileSync(join(REPO_ROOT, '.github/workflows/tsql-ci.yml'), 'utf8')) as Workflow;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** `npx tsql …` runs this repository's CLI; nothing else may be fetched. */
function shimDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsql-shim-'));
  dirs.push(dir);
  const npx = join(dir, 'npx');
  writeFileSync(npx, `#!/bin/sh\nif [ "$1" = tsql ]; then shift; exec "${process.execPath}" "${BIN}" "$@"; fi\necho "npx $1 is not available in this test" >&2\nexit 127\n`);
  chmodSync(npx, 0o755);
  return dir;
}

/** Runs a job's `run:` steps in `cwd`, except the named ones, stopping at the first that fails. */
function runJob(job: string, cwd: string, skip: string[], env: Record<string, string>): Array<{ name: string; code: number; output: string }> {
  const out: Array<{ name: string; code: number; output: string }> = [];
  for (const step of workflow.jobs[job].steps) {
    if (!step.run || skip.includes(step.name ?? '')) continue;
    const r = spawnSync('bash', ['-eo', 'pipefail', '-c', step.run], { cwd, encoding: 'utf8', env: { ...process.env, ...workflow.env, NO_COLOR: '1', ...env }, timeout: 120_000 });
    out.push({ name: step.name ?? step.run, code: r.status ?? -1, output: r.stdout + r.stderr });
    if (r.status !== 0) break;
  }
  return out;
}

describe('the example CI recipe', () => {
  it('runs the production job, then the pull-request check of a changed model, as written', async () => {
    const path = `${shimDir()}:${process.env.PATH}`;
    // main: production builds and collects its artifacts
    const main = copyExample('tsql-ci-main-');
    dirs.push(main);
    const prod = runJob('production', main, ['Install'], { PATH: path });
    expect(prod.map((s) => s.name)).toEqual(['Build production', "Collect production's artifacts"]);
    for (const s of prod) expect(s.code, `${s.name}\n${s.output}`).toBe(0);
    for (const f of ['manifest.json', 'run_results.json', 'user_behavior.duckdb', 'lake/stage/user_purchase/2024-01-03/user_purchase.csv']) {
      expect(existsSync(join(main, 'prod-artifacts', f)), f).toBe(true);
    }

    // a pull request changes one model; its checkout has only the downloaded artifacts
    const pr = copyExample('tsql-ci-pr-');
    dirs.push(pr);
    cpSync(join(main, 'prod-artifacts'), join(pr, 'prod-artifacts'), { recursive: true });
    const metric = join(pr, 'models/marts/user_behavior_metric.sql');
    writeFileSync(metric, readFileSync(metric, 'utf8').replace("cast('{{ ds }}' as date) as insert_date", "cast('{{ ds }}' as date) as insert_date,\n    true as reviewed_in_pr"));
    const summary = join(pr, 'step-summary.md');
    writeFileSync(summary, '');
    const check = runJob('pull-request', pr, ['Install', "Download production's artifacts"], { PATH: path, GITHUB_STEP_SUMMARY: summary });
    expect(check.map((s) => s.name)).toEqual(['Sources of the PR database', 'Build what the PR changed', 'Publish the summary']);
    for (const s of check) expect(s.code, `${s.name}\n${s.output}`).toBe(0);

    // only the changed model and its tests were built, into the ci database
    const results = JSON.parse(readFileSync(join(pr, 'target/run_results.json'), 'utf8')).results as Array<{ unique_id: string; status: string }>;
    const built = results.map((r) => r.unique_id.split('.')[2]);
    expect(built).toContain('user_behavior_metric');
    expect(results.filter((r) => r.unique_id.startsWith('model.')).map((r) => r.unique_id)).toEqual(['model.user_behavior.user_behavior_metric']);
    expect(results.every((r) => r.status === 'success' || r.status === 'pass')).toBe(true);
    const rows = await queryDuckDB(join(pr, 'ci.duckdb'), 'select count(*) as n, bool_and(reviewed_in_pr) as all_marked from main.user_behavior_metric');
    const prodRows = await queryDuckDB(join(pr, 'prod-artifacts/user_behavior.duckdb'), 'select count(*) as n from main.user_behavior_metric');
    expect(rows).toEqual([{ n: prodRows[0].n, all_marked: true }]);
    // the JUnit report for the checks, the summary on the job's page
    expect(readFileSync(join(pr, 'reports/junit.xml'), 'utf8')).toMatch(/<testsuite name="tsql" tests="\d+" failures="0" errors="0"/);
    const page = readFileSync(summary, 'utf8');
    expect(page).toMatch(/user_behavior_metric/);
    // the data diff against production: the PR's new column, the same rows
    expect(page).toMatch(/Data diff/);
    expect(page).toMatch(/reviewed_in_pr/);
  });

  it('the Jenkinsfile runs the same tsql commands', () => {
    const jenkins = readFileSync(join(REPO_ROOT, 'Jenkinsfile'), 'utf8');
    const fromJenkins = [...jenkins.matchAll(/npx tsql [^'\n]+/g)].map((m) => m[0].trim());
    const fromWorkflow = Object.values(workflow.jobs).flatMap((j) => j.steps.flatMap((s) => [...(s.run ?? '').matchAll(/npx tsql [^\n]+/g)].map((m) => m[0].trim())));
    expect(fromJenkins.length).toBeGreaterThanOrEqual(4);
    expect([...fromJenkins].sort()).toEqual([...fromWorkflow].sort());
  });
});


