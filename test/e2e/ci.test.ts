import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, useProjects } from '../helpers/project.js';
import { expectUserError } from '../helpers/assert.js';
import { checkJunit, testcase } from '../helpers/junit-schema.js';
import { childrenNamed } from '../helpers/xml.js';

const project = useProjects();

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
/** A folder to run the CLI from (CI's checkout), apart from the project. */
function workdir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tsql-ci-'));
  dirs.push(d);
  return d;
}

/** A column name no report writer gets right by accident: quotes, &, <, >, a pipe and a control character. */
const NASTY = `bad"col&<x>|'\u0001`;

const shop = {
  'seeds/raw_orders.csv': 'id,status\n1,placed\n2,shipped\n3,returned\n',
  'models/staging/stg_orders.sql': "select id as order_id, status from {{ ref('raw_orders') }}\n",
  'models/marts/orders.sql': "{{ config(materialized='table') }}\nselect * from {{ ref('stg_orders') }}\n",
  'models/marts/broken.sql': `select * from {{ ref('raw_orders') }} where "${NASTY}" = 1\n`,
  'models/marts/after_broken.sql': "select * from {{ ref('broken') }}\n",
  'models/schema.yml': `version: 2
models:
  - name: stg_orders
    columns:
      - name: order_id
        tests: [not_null]
      - name: status
        tests:
          - accepted_values:
              values: ['placed', 'shipped']
              config: {severity: warn}
  - name: orders
    columns:
      - name: order_id
        tests:
          - accepted_values:
              values: [1, 2]
`,
};

function runResults(dir: string): { args: Record<string, unknown>; results: Array<{ unique_id: string; status: string; message: string }> } {
  return JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8'));
}

describe('--junit-xml', () => {
  it('one testcase per node: failure, error, skipped, a warning as system-out; escaped; written on exit 1, relative to the current directory', () => {
    const p = project(shop);
    const cwd = workdir();
    const r = runCli(['build', '--project-dir', p.dir, '--junit-xml', 'reports/ci/junit.xml'], cwd);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(existsSync(join(p.dir, 'reports'))).toBe(false);
    const xml = readFileSync(join(cwd, 'reports', 'ci', 'junit.xml'), 'utf8');
    const suite = checkJunit(xml);
    expect(suite.attrs).toMatchObject({ name: 'tsql', tests: '8', failures: '1', errors: '1', skipped: '1' });

    const failed = testcase(suite, 'accepted_values_orders_order_id__1__2');
    expect(failed.attrs.classname).toBe('test.shop');
    const failure = childrenNamed(failed, 'failure')[0];
    expect(failure.attrs.message).toBe('1 failing row: Got 1 result, configured to fail if != 0');
    expect(failure.text).toContain('compiled SQL: target/compiled/shop/models/schema.yml/accepted_values_orders_order_id__1__2.sql');

    const warned = testcase(suite, 'accepted_values_stg_orders_status__placed__shipped');
    expect(warned.children.map((c) => c.name)).toEqual(['system-out']);
    expect(warned.children[0].text).toMatch(/^WARN: 1 failing row: Got 1 result, configured to warn if != 0/);

    const broken = testcase(suite, 'broken');
    expect(broken.attrs).toMatchObject({ classname: 'model.shop.marts', file: 'models/marts/broken.sql' });
    const error = childrenNamed(broken, 'error')[0];
    // the message round-trips through XML exactly, the control character replaced
    const message = runResults(p.dir).results.find((x) => x.unique_id === 'model.shop.broken')!.message;
    expect(message).toContain(NASTY);
    expect(error.attrs.message).toBe(message.replace('\u0001', '\uFFFD'));

    const skipped = childrenNamed(testcase(suite, 'after_broken'), 'skipped')[0];
    expect(skipped.attrs.message).toBe('upstream model.shop.broken failed');
    expect(childrenNamed(testcase(suite, 'raw_orders'), 'skipped')).toEqual([]);
    expect(testcase(suite, 'raw_orders').attrs.classname).toBe('seed.shop');
    expect(testcase(suite, 'stg_orders').attrs.classname).toBe('model.shop.staging');
  });

  it('a passing run, and a run stopped by a mistake (exit 2), both leave a valid report', () => {
    const p = project({ 'seeds/raw_orders.csv': shop['seeds/raw_orders.csv'], 'models/staging/stg_orders.sql': shop['models/staging/stg_orders.sql'] });
    const ok = p.tsql(['build', '--junit-xml', 'junit.xml']);
    expect(ok.code, ok.stderr).toBe(0);
    const suite = checkJunit(readFileSync(join(p.dir, 'junit.xml'), 'utf8'));
    expect(suite.attrs).toMatchObject({ tests: '2', failures: '0', errors: '0', skipped: '0' });

    const stopped = p.tsql(['run', '--select', 'stg_ordrs', '--junit-xml', 'junit.xml']);
    expect(stopped.code).toBe(2);
    const s = checkJunit(readFileSync(join(p.dir, 'junit.xml'), 'utf8'));
    expect(s.attrs).toMatchObject({ tests: '1', errors: '1' });
    expect(childrenNamed(testcase(s, 'tsql'), 'error')[0].attrs.message).toBe("--select 'stg_ordrs' matches no node (did you mean 'stg_orders'?)");
  });

  it('a path that is a folder is a mistake on the command line', () => {
    const p = project({ 'models/a.sql': 'select 1 as id', 'reports/keep': '' });
    expectUserError(p, /^error: --junit-xml 'reports' is a folder \(e\.g\. --junit-xml reports\/junit\.xml\)$/, ['run', '--junit-xml', 'reports']);
    expectUserError(p, /^error: --summary-md takes a file path, got 'out\/'/, ['run', '--summary-md', 'out/']);
  });
});

/** The cells of a markdown table row, split on unescaped pipes. */
function cells(row: string): string[] {
  return row.slice(2, -2).split(/(?<!\\)\|/).map((c) => c.trim());
}

describe('--summary-md', () => {
  it('headline, what failed or warned first, what was built, tests, skipped, slowest; messages escaped for a table', () => {
    const p = project(shop);
    const r = p.tsql(['build', '--summary-md', 'out/summary.md', '--ds', '2024-01-03']);
    expect(r.code).toBe(1);
    const md = readFileSync(join(p.dir, 'out', 'summary.md'), 'utf8');
    const lines = md.split('\n');
    expect(lines[0]).toBe('## tsql build: failed');
    expect(md).toMatch(/On target `dev` \(duckdb\), run date 2024-01-03\. PASS=4 WARN=1 ERROR=2 SKIP=1 TOTAL=8 in \d+\.\d\ds\./);
    const headings = lines.filter((l) => l.startsWith('### '));
    expect(headings).toEqual(['### Failed or warned', '### Built', '### Tests', '### Skipped', '### Slowest nodes']);

    const problems = lines.slice(lines.indexOf('### Failed or warned') + 4).filter((l) => l.startsWith('| ')).slice(0, 3);
    expect(problems.map((l) => cells(l).slice(0, 2))).toEqual([
      ['model `broken`', 'ERROR'],
      ['test `accepted_values_orders_order_id__1__2`', 'FAIL'],
      ['test `accepted_values_stg_orders_status__placed__shipped`', 'WARN'],
    ]);
    // four cells: the pipe in the message is escaped, and < > & are not markup
    const brokenRow = cells(problems[0]);
    expect(brokenRow).toHaveLength(4);
    expect(brokenRow[2]).toContain('bad"col&amp;&lt;x&gt;\\|');
    expect(cells(problems[1])[3]).toBe('1');

    const built = lines.slice(lines.indexOf('### Built') + 4).filter((l) => l.startsWith('| ')).slice(0, 3).map((l) => cells(l).slice(0, 3));
    expect(built).toEqual([
      ['seed `raw_orders`', 'seed', '3'],
      ['model `stg_orders`', 'view', ''],
      ['model `orders`', 'table', '3'],
    ]);
    expect(md).toContain('1 of 3 tests passed; 1 warned, 1 failed.');
    expect(md).toMatch(/\| model `after_broken` \| upstream model\.shop\.broken failed \|/);
  });
});

describe('--warn-error', () => {
  const warns = {
    'models/a.sql': 'select 1 as id union all select null',
    'models/b.sql': "select * from {{ ref('a') }}",
    'models/schema.yml': 'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        tests:\n          - not_null:\n              config: {severity: warn}\n',
  };

  it('a test that warns fails the run, and what reads its model is skipped', () => {
    const p = project(warns);
    expect(p.tsql(['build']).code).toBe(0);
    const r = p.tsql(['build', '--warn-error', '--junit-xml', 'junit.xml']);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toMatch(/FAIL 1 test not_null_a_id/);
    const results = runResults(p.dir).results;
    expect(results.find((x) => x.unique_id.startsWith('test.'))).toMatchObject({ status: 'fail', message: 'Got 1 result, configured to warn if != 0 (a warning, failed by --warn-error)' });
    expect(results.find((x) => x.unique_id === 'model.shop.b')!.status).toBe('skipped');
    expect(runResults(p.dir).args.warn_error).toBe(true);
    const suite = checkJunit(readFileSync(join(p.dir, 'junit.xml'), 'utf8'));
    expect(suite.attrs).toMatchObject({ failures: '1', skipped: '1' });
  });

  it('a compile warning is an error, and nothing runs', () => {
    const p = project({ ...warns, 'tsql_project.yml': 'name: shop\nprofile: shop\nmodels:\n  shop:\n    stagin:\n      +materialized: table\n' });
    expect(p.tsql(['run']).code).toBe(0);
    p.remove('warehouse.duckdb');
    expectUserError(p, /^error: tsql_project\.yml:5: config path 'models\.shop\.stagin' matches no model \[a warning, an error with --warn-error\]$/, ['run', '--warn-error']);
  });
});

describe('a selection that matches nothing', () => {
  it('is one line naming the selector, with the closest name, exit 2, nothing run', () => {
    const p = project({ 'seeds/raw_orders.csv': shop['seeds/raw_orders.csv'], 'models/stg_orders.sql': "select * from {{ ref('raw_orders') }}" });
    expectUserError(p, /^error: --select 'stg_ordrs' matches no node \(did you mean 'stg_orders'\?\)$/, ['build', '--select', 'stg_ordrs']);
    expectUserError(p, /^error: --select '\+stg_ordrs' matches no node \(did you mean '\+stg_orders'\?\)$/, ['run', '-s', 'raw_orders', '+stg_ordrs']);
    expectUserError(p, /^error: --select 'tag:nightly' matches no node \(tsql ls lists the nodes\)$/, ['run', '--select', 'tag:nightly']);
    expectUserError(p, /^error: --select 'stg_orders' matches no seed for tsql seed \(it selects only models; --allow-empty-selection runs nothing instead\)$/, ['seed', '--select', 'stg_orders']);
    expectUserError(p, /^error: --exclude 'stg_orders' leaves no model of --select 'stg_orders' to run/, ['run', '--select', 'stg_orders', '--exclude', 'stg_orders']);
    expectUserError(p, /^error: --exclude '\*' leaves no seed, model, snapshot or test to run/, ['build', '--exclude', '*']);
  });

  it('resource-type selectors, and ls, compile and source freshness, follow the same rule', () => {
    const p = project({ 'seeds/raw_orders.csv': shop['seeds/raw_orders.csv'], 'models/stg_orders.sql': "select * from {{ ref('raw_orders') }}" });
    expectUserError(p, /^error: --select 'resource_type:seed' matches no model for tsql run \(it selects only seeds; --allow-empty-selection runs nothing instead\)$/, ['run', '--select', 'resource_type:seed']);
    expectUserError(p, /^error: --select 'resource_type:exposure' matches no node \(tsql ls lists the nodes\)$/, ['build', '--select', 'resource_type:exposure']);
    expectUserError(p, /^error: --exclude 'resource_type:model' leaves no model of --select 'stg_orders' to run/, ['run', '--select', 'stg_orders', '--exclude', 'resource_type:model']);
    expectUserError(p, /^error: --select 'stg_ordrs' matches no node \(did you mean 'stg_orders'\?\)$/, ['ls', '--select', 'stg_ordrs']);
    expectUserError(p, /^error: --exclude 'stg_orders raw_orders' leaves no model, seed, snapshot, source, test, analysis or exposure to list$/, ['ls', '--exclude', 'stg_orders', 'raw_orders']);
    expectUserError(p, /^error: --select 'stg_ordrs' matches no node \(did you mean 'stg_orders'\?\)$/, ['compile', '--select', 'stg_ordrs']);
    expectUserError(p, /^error: --select 'raw_orders' matches no model, snapshot or analysis for tsql compile \(it selects only seeds\)$/, ['compile', '--select', 'raw_orders']);
    expectUserError(p, /^error: --select 'source:shop' matches no node \(tsql ls lists the nodes\)$/, ['source', 'freshness', '--select', 'source:shop']);
    // a listing without a selection may be empty
    const ls = p.tsql(['ls', '--resource-type', 'source']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stderr).toMatch(/matched no nodes/);
  });

  it('--allow-empty-selection makes it a no-op with exit 0 and a note', () => {
    const p = project({ 'models/stg_orders.sql': 'select 1 as id' });
    const r = p.tsql(['run', '--select', 'stg_ordrs', '--allow-empty-selection']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/nothing to run: --select 'stg_ordrs' matches no node \(allowed by --allow-empty-selection\)/);
    expect(r.stdout).not.toMatch(/START/);
    expect(runResults(p.dir).results).toEqual([]);
  });

  it('without --select or --exclude, a project with nothing of the kind is still a no-op', () => {
    const p = project({ 'models/a.sql': 'select 1 as id' });
    const r = p.tsql(['seed']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/nothing to seed/);
  });
});

describe('tsql retry', () => {
  const base = {
    'seeds/raw_orders.csv': shop['seeds/raw_orders.csv'],
    'models/orders.sql': "{{ config(materialized='table') }}\nselect * from {{ ref('raw_orders') }}\n",
    'models/other.sql': "select * from {{ ref('raw_orders') }}\n",
    'models/daily.sql': "{{ config(materialized='table') }}\nselect '{{ ds }}' as ds, '{{ var(\"region\") }}' as region, count(*) as n from {{ ref('orders') }} where nope\n",
    'models/after_daily.sql': "select * from {{ ref('daily') }}\n",
  };

  it('reruns only what failed or was skipped, with the same command, --ds and --vars; then describes itself', async () => {
    const p = project(base);
    const first = p.tsql(['build', '--ds', '2024-01-03', '--vars', '{region: eu}']);
    expect(first.code).toBe(1);
    expect(runResults(p.dir).args).toMatchObject({ which: 'build', ds: '2024-01-03', vars: { region: 'eu' } });

    // still broken: the same two nodes again, exit 1
    const again = p.tsql(['retry', '--junit-xml', 'junit.xml']);
    expect(again.code, again.stdout + again.stderr).toBe(1);
    expect(again.stdout).toMatch(/Retrying 2 nodes of the last tsql build, run date 2024-01-03/);
    expect(runResults(p.dir).results.map((x) => [x.unique_id, x.status])).toEqual([
      ['model.shop.after_daily', 'skipped'],
      ['model.shop.daily', 'error'],
    ]);
    expect(checkJunit(readFileSync(join(p.dir, 'junit.xml'), 'utf8')).attrs).toMatchObject({ tests: '2', errors: '1', skipped: '1' });

    p.write({ 'models/daily.sql': base['models/daily.sql'].replace(' where nope', '') });
    const fixed = p.tsql(['retry']);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(fixed.stdout).not.toMatch(/orders|other/);
    const rr = runResults(p.dir);
    expect(rr.results.map((x) => [x.unique_id, x.status])).toEqual([
      ['model.shop.after_daily', 'success'],
      ['model.shop.daily', 'success'],
    ]);
    expect(rr.args).toMatchObject({ which: 'build', invoked_as: 'retry', ds: '2024-01-03', vars: { region: 'eu' } });
    expect(await p.query('select ds, region, n::int as n from main.daily')).toEqual([{ ds: '2024-01-03', region: 'eu', n: 3 }]);

    const nothing = p.tsql(['retry']);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toMatch(/nothing to retry: no node failed or was skipped in the last tsql retry/);
    expect(nothing.stdout).not.toMatch(/START/);
  });

  it('reruns a failed test of a tsql test run with tsql test', () => {
    const p = project({
      ...base,
      'models/daily.sql': 'select 1 as id',
      'models/schema.yml': 'version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: status\n        tests:\n          - accepted_values: {values: [placed, shipped]}\n      - name: id\n        tests: [not_null]\n',
    });
    expect(p.tsql(['build']).code).toBe(1);
    expect(p.tsql(['test']).code).toBe(1);
    const r = p.tsql(['retry']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Retrying 1 node of the last tsql test/);
    expect(r.stdout).toMatch(/1 of 1 FAIL 1 test accepted_values_orders_status__placed__shipped/);
    expect(runResults(p.dir).args.which).toBe('test');
  });

  it('a test that still fails keeps blocking the readers of its model, which the retry does not rebuild', async () => {
    const p = project({
      ...base,
      'models/daily.sql': "select * from {{ ref('orders') }}\n",
      'models/schema.yml': 'version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: status\n        tests:\n          - accepted_values: {values: [placed, shipped]}\n',
    });
    expect(p.tsql(['build']).code).toBe(1);
    const r = p.tsql(['retry']);
    expect(r.code).toBe(1);
    expect(runResults(p.dir).results.map((x) => [x.unique_id, x.status])).toEqual([
      ['model.shop.after_daily', 'skipped'],
      ['model.shop.daily', 'skipped'],
      [expect.stringMatching(/^test\.shop\.accepted_values_orders_status__placed__shipped\./), 'fail'],
    ]);
    expect(await p.query("select count(*)::int as n from information_schema.tables where table_name = 'daily'")).toEqual([{ n: 0 }]);
  });

  it('without run_results.json, or from a command it cannot rerun, is one line and exit 2; options it does not take are refused', () => {
    const p = project({ 'models/a.sql': 'select 1 as id' });
    expectUserError(p, /^error: no target\/run_results\.json to retry from \(tsql retry reruns what failed in the last run, build, test or seed\)$/, ['retry']);
    p.write({ 'target/run_results.json': JSON.stringify({ args: { which: 'compile' }, results: [] }) });
    expectUserError(p, /^error: target\/run_results\.json is from 'tsql compile', which tsql retry cannot rerun/, ['retry']);
    p.write({ 'target/run_results.json': '{"args":' });
    expectUserError(p, /^error: target\/run_results\.json is not valid JSON/, ['retry']);
    const r = p.tsql(['retry', '--select', 'a']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--select'/);
  });
});
