import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, useProjects } from '../helpers/project.js';

const project = useProjects();

/** Runs the CLI and closes its stdout after the first piece of output, as `tsql … | head -1` does. */
function runIntoClosedPipe(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', TSQL_DEBUG: '' } });
    let stderr = '';
    child.stdout.once('data', () => child.stdout.destroy());
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('output into a pipe that closes', () => {
  it('`tsql build | head -1`: the run goes on to the end without a stack trace', async () => {
    const models: Record<string, string> = {};
    for (let i = 0; i < 12; i++) models[`models/m${i}.sql`] = i ? `select * from {{ ref('m${i - 1}') }}` : 'select 1 as id';
    const p = project({ ...models, 'models/last.sql': "{{ config(materialized='table') }} select * from {{ ref('m11') }}" });
    const r = await runIntoClosedPipe(['build'], p.dir);
    expect(r.stderr).not.toMatch(/EPIPE|node:events|at /);
    expect(r.code).toBe(0);
    expect(await p.query('select id from main.last')).toEqual([{ id: 1 }]);
  });

  it('`tsql run --log-format json | head -1` exits 0 quietly', async () => {
    const models: Record<string, string> = {};
    for (let i = 0; i < 50; i++) models[`models/m${i}.sql`] = 'select 1 as id';
    const p = project(models);
    const r = await runIntoClosedPipe(['run', '--log-format', 'json'], p.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('options before the command name (as dbt users write them)', () => {
  it('are read as if written after it, the subcommand of source and docs included', () => {
    const p = project({ 'models/a.sql': 'select 1 as id', 'models/b.sql': "select * from {{ ref('a') }}" });
    const other = project({});
    const q = other.tsql(['-q', '--project-dir', p.dir, 'run']);
    expect(q.stderr).toBe('');
    expect(q.code).toBe(0);
    expect(q.stdout).toBe('');
    const ls = p.tsql(['--target', 'dev', '--select', 'b', 'ls', '--output', 'name']);
    expect(ls.stdout.trim()).toBe('b');
    const fresh = other.tsql(['--project-dir', p.dir, 'source', 'freshness']);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain('Checking freshness of 0 source tables');
    const json = p.tsql(['--log-format=json', 'ls', '-s', 'nope']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout.trim()).message).toBe("--select 'nope' matches no node");
    expect(p.tsql(['-v']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const typo = p.tsql(['--quite', 'run']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown option '--quite'");
    // a dbt option tsql has no use for: what to do instead, and nothing runs
    const dbtOnly = p.tsql(['run', '--log-level', 'debug']);
    expect(dbtOnly.code).toBe(2);
    expect(dbtOnly.stderr.trim()).toBe("error: unknown option '--log-level' (a dbt option: tsql has one console level; --quiet prints errors only, --log-format json is for machines)");
    expect(dbtOnly.stdout).toBe('');
  });
});

describe("dbt's --use-colors / --no-use-colors", () => {
  it('colour the output whatever the terminal, or not at all, over the environment', () => {
    const p = project({ 'models/a.sql': 'select 1 as id' });
    const ansi = /\x1b\[\d+m/;
    expect(p.tsql(['run']).stdout).not.toMatch(ansi); // not a terminal: no colour
    expect(p.tsql(['run', '--use-colors']).stdout).toMatch(ansi);
    expect(p.tsql(['--use-colors', 'run']).stdout).toMatch(ansi);
    expect(p.tsql(['run', '--no-use-colors'], { TSQL_USE_COLORS: 'true' }).stdout).not.toMatch(ansi);
    expect(p.tsql(['run'], { TSQL_USE_COLORS: 'true' }).stdout).toMatch(ansi);
  });
});

/** stdout without the time at the start of each line */
const untimed = (stdout: string) => stdout.replace(/^\d\d:\d\d:\d\d {2}/gm, '');

describe('the closing lines of a run', () => {
  const schema = `models:
  - name: orders
    columns:
      - name: amount
        data_tests:
          - not_null:
              config: {severity: warn}
`;

  it('a run with warnings lists each warning node, its file and message, as dbt does', () => {
    const p = project({ 'models/orders.sql': 'select 1 as id, null as amount\n', 'models/schema.yml': schema });
    const r = p.tsql(['build']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(untimed(r.stdout)).toContain(
      ['Completed with 1 warning:', '', 'Warning in test not_null_orders_amount (models/schema.yml)', '  Got 1 result, configured to warn if != 0', '', 'Done. PASS=1 WARN=1 ERROR=0 SKIP=0 TOTAL=2'].join('\n'),
    );
    expect(r.stdout).not.toContain('Completed successfully');
  });

  it('with errors too, the heading counts both and the failures come first', () => {
    const p = project({ 'models/orders.sql': 'select 1 as id, null as amount\n', 'models/broken.sql': 'select nope\n', 'models/schema.yml': schema });
    const r = p.tsql(['build']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const out = untimed(r.stdout);
    expect(out).toContain('Completed with 1 error and 1 warning:\n\nFailure in model broken (models/broken.sql)');
    expect(out.indexOf('Warning in test not_null_orders_amount (models/schema.yml)')).toBeGreaterThan(out.indexOf('Failure in model broken'));
  });
});
