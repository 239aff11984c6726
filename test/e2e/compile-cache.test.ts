import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TempProject } from '../helpers/project.js';

// The compile cache (src/compiler/compile-cache.ts): an unchanged project's compile is read
// back, and every input it depends on makes it compile again when it changes. A compile is
// only kept when no file changed in the two seconds before it, so each project here is left
// to age first.

const REUSED = 'reused)';
const projects: TempProject[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});

async function agedProject(files: Record<string, string>, opts: { profile?: string } = {}): Promise<TempProject> {
  const p = new TempProject(files, opts);
  projects.push(p);
  await new Promise((r) => setTimeout(r, 2100));
  return p;
}

function compile(p: TempProject, args: string[] = [], env: Record<string, string> = {}): string {
  const r = p.tsql(['compile', ...args], env);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return r.stdout;
}

const compiled = (p: TempProject, model: string) => readFileSync(join(p.dir, 'target', 'compiled', 'shop', 'models', `${model}.sql`), 'utf8');
const cacheFiles = (p: TempProject) => (existsSync(join(p.dir, 'target', '.tsql_cache')) ? readdirSync(join(p.dir, 'target', '.tsql_cache')).filter((f) => f.startsWith('compile-')) : []);
/** manifest.json without what differs by invocation */
function manifest(p: TempProject): Record<string, unknown> {
  const m = JSON.parse(readFileSync(join(p.dir, 'target', 'manifest.json'), 'utf8')) as { metadata: Record<string, unknown> };
  delete m.metadata.generated_at;
  delete m.metadata.invocation_id;
  return m;
}

const BASE = {
  'models/orders.sql': "{{ config(materialized='table') }}\nselect 1 as id, {{ var('amount', 10) }} as amount\n",
  'models/big_orders.sql': "-- {{ doc_note() }}\nselect * from {{ ref('orders') }} where amount > {{ env_var('TSQL_CACHE_TEST_MIN', '5') }}\n",
  'macros/notes.sql': "{% macro doc_note() %}note one{% endmacro %}\n",
  'models/schema.yml': 'version: 2\nmodels:\n  - name: orders\n    description: the orders\n    columns:\n      - name: id\n        data_tests: [not_null]\n',
};

describe('compile cache', () => {
  it('reuses an unchanged compile, with the same manifest and compiled files, and runs from it', async () => {
    const p = await agedProject(BASE);
    expect(compile(p)).not.toContain(REUSED);
    const first = manifest(p);
    const sql = compiled(p, 'big_orders');
    expect(cacheFiles(p)).toHaveLength(1);
    expect(compile(p)).toContain(REUSED);
    expect(manifest(p)).toEqual(first);
    expect(compiled(p, 'big_orders')).toBe(sql);
    // a run (another command, reading the catalog like compile) builds from the same compile
    const run = p.tsql(['build']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(await p.query('select amount from big_orders')).toEqual([{ amount: 10 }]);
  });

  it('compiles again when a model, a macro, a properties file or the project file changes, even at the same size', async () => {
    const p = await agedProject(BASE);
    compile(p);
    // same size, same second: only the content differs
    p.write({ 'models/orders.sql': BASE['models/orders.sql'].replace('10)', '11)') });
    expect(compile(p)).toContain('(compiled again: models/orders.sql changed)');
    expect(compiled(p, 'orders')).toContain('11 as amount');
    p.write({ 'macros/notes.sql': BASE['macros/notes.sql'].replace('one', 'two') });
    expect(compile(p)).not.toContain(REUSED);
    expect(compiled(p, 'big_orders')).toContain('note two');
    p.write({ 'models/schema.yml': BASE['models/schema.yml'].replace('the orders', 'all orders') });
    expect(compile(p)).not.toContain(REUSED);
    expect((manifest(p).nodes as Record<string, { description: string }>)['model.shop.orders'].description).toBe('all orders');
    p.write({ 'tsql_project.yml': 'name: shop\nprofile: shop\nvars:\n  amount: 12\n' });
    expect(compile(p)).not.toContain(REUSED);
    expect(compiled(p, 'orders')).toContain('12 as amount');
  });

  it('compiles again when a model is added or removed', async () => {
    const p = await agedProject(BASE);
    compile(p);
    p.write({ 'models/refunds.sql': 'select 2 as id\n' });
    expect(compile(p)).not.toContain(REUSED);
    expect(Object.keys(manifest(p).nodes as object)).toContain('model.shop.refunds');
    // back to the files of the first compile: reusing that compile is right again, compiling too
    p.remove('models/refunds.sql');
    compile(p);
    expect(Object.keys(manifest(p).nodes as object)).not.toContain('model.shop.refunds');
  });

  it('keeps one compile per set of options: --vars, and commands that do not read the catalog, have their own', async () => {
    const p = await agedProject(BASE);
    compile(p);
    expect(compile(p, ['--vars', 'amount: 20'])).not.toContain(REUSED);
    expect(compiled(p, 'orders')).toContain('20 as amount');
    expect(compile(p, ['--vars', 'amount: 20'])).toContain(REUSED);
    expect(p.tsql(['ls']).code).toBe(0);
    expect(compile(p)).toContain(REUSED);
    expect(compiled(p, 'orders')).toContain('10 as amount');
    expect(compile(p, ['--full-refresh'])).not.toContain(REUSED);
  });

  it('compiles again when an environment variable a template read changes, is set or is unset', async () => {
    const p = await agedProject(BASE);
    compile(p);
    expect(compiled(p, 'big_orders')).toContain('amount > 5');
    expect(compile(p, [], { TSQL_CACHE_TEST_MIN: '7' })).not.toContain(REUSED);
    expect(compiled(p, 'big_orders')).toContain('amount > 7');
    expect(compile(p, [], { TSQL_CACHE_TEST_MIN: '7' })).toContain(REUSED);
    expect(compile(p, [], { TSQL_CACHE_TEST_MIN: '8' })).toContain('(compiled again: TSQL_CACHE_TEST_MIN changed)');
    expect(compiled(p, 'big_orders')).toContain('amount > 8');
    expect(compile(p)).not.toContain(REUSED);
    expect(compiled(p, 'big_orders')).toContain('amount > 5');
  });

  it('compares an environment variable by a digest of its value: the value is not stored', async () => {
    const p = await agedProject({ 'models/gate.sql': "select {% if env_var('TSQL_CACHE_TEST_WORD', '') | length == 10 %}1{% else %}2{% endif %} as open\n" });
    const env = { TSQL_CACHE_TEST_WORD: 'opensesame' };
    compile(p, [], env);
    expect(compiled(p, 'gate')).toContain('1 as open');
    expect(compile(p, [], env)).toContain(REUSED);
    const [entry] = cacheFiles(p);
    expect(readFileSync(join(p.dir, 'target', '.tsql_cache', entry), 'utf8')).not.toContain('opensesame');
    expect(compile(p, [], { TSQL_CACHE_TEST_WORD: 'open sesame' })).not.toContain(REUSED);
    expect(compiled(p, 'gate')).toContain('2 as open');
  });

  it('compiles again once is_incremental() would answer differently: the relation now exists', async () => {
    const p = await agedProject({
      'models/events.sql': "{{ config(materialized='incremental') }}\nselect 1 as id\n{% if is_incremental() %}where id > (select max(id) from {{ this }}){% endif %}\n",
    });
    compile(p);
    expect(compile(p)).toContain(REUSED);
    expect(p.tsql(['run']).code).toBe(0);
    expect(compile(p)).toContain('(compiled again: relations were created or dropped in the target)');
    expect(compiled(p, 'events')).toContain('where id > (select max(id)');
  });

  it("--no-partial-parse (dbt's option, DBT_PARTIAL_PARSE=false, the project's flags: partial_parse: false) compiles from scratch, and keeps the new compile", async () => {
    const p = await agedProject({ 'models/orders.sql': 'select 1 as id\n' });
    compile(p);
    expect(compile(p)).toContain(REUSED);
    expect(compile(p, ['--no-partial-parse'])).toContain('(compiled again: --no-partial-parse)');
    expect(compile(p)).toContain(REUSED);
    expect(compile(p, [], { DBT_PARTIAL_PARSE: 'false' })).toContain('(compiled again: --no-partial-parse)');
    expect(compile(p, ['--partial-parse'], { DBT_PARTIAL_PARSE: 'false' })).toContain(REUSED);
    p.write({ 'tsql_project.yml': readFileSync(join(p.dir, 'tsql_project.yml'), 'utf8') + 'flags:\n  partial_parse: false\n' });
    await new Promise((r) => setTimeout(r, 2100));
    compile(p);
    expect(compile(p)).toContain('(compiled again: --no-partial-parse)');
  });

  it("flags.WHICH is the command, as in dbt; a compile that reads it (or invocation_args_dict) is not reused by another command", async () => {
    const p = await agedProject({
      'models/which.sql': "{{ config(materialized='table') }}\nselect '{{ flags.WHICH }}' as w, '{{ invocation_args_dict.which }}:{{ invocation_args_dict.select | join(\",\") }}' as args\n",
    });
    expect(p.tsql(['run', '-s', 'which']).code).toBe(0);
    expect(await p.query('select w, args from main.which')).toEqual([{ w: 'run', args: 'run:which' }]);
    expect(p.tsql(['build']).code).toBe(0);
    expect(await p.query('select w, args from main.which')).toEqual([{ w: 'build', args: 'build:' }]);
    expect(compile(p)).toContain('; not kept for the next compile: models/which.sql reads flags.WHICH');
    expect(compiled(p, 'which')).toContain("select 'compile' as w, 'compile:' as args");
    expect(cacheFiles(p)).toHaveLength(0);
  });

  it('compiles again for another target, and never keeps a compile that read a value of its own invocation', async () => {
    const profile = 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: warehouse.duckdb\n      schema: main\n    other:\n      type: duckdb\n      path: warehouse.duckdb\n      schema: other\n';
    const p = await agedProject(
      {
        'models/orders.sql': 'select 1 as id\n',
        'models/stamped.sql': "select '{{ run_started_at }}' as at, * from {{ ref('orders') }}\n",
      },
      { profile },
    );
    compile(p);
    expect(compile(p)).toContain('; not kept for the next compile: models/stamped.sql reads run_started_at');
    expect(cacheFiles(p)).toHaveLength(0);
    for (const volatile of ['{{ invocation_id }}', '{{ modules.datetime.datetime.now() }}', "{{ [1, 2, 3] | random }}"]) {
      p.write({ 'models/stamped.sql': `select '${volatile}' as at\n` });
      await new Promise((r) => setTimeout(r, 2100));
      compile(p);
      expect(compile(p)).not.toContain(REUSED);
      expect(cacheFiles(p)).toHaveLength(0);
    }
    p.write({ 'models/stamped.sql': 'select 2 as id\n' });
    await new Promise((r) => setTimeout(r, 2100));
    compile(p);
    expect(compile(p)).toContain(REUSED);
    expect(compile(p, ['--target', 'other'])).not.toContain(REUSED);
    expect(compiled(p, 'stamped').trim()).toBe('select 2 as id');
    expect((manifest(p).nodes as Record<string, { schema: string }>)['model.shop.orders'].schema).toBe('other');
  });

  it('compiles again when the profile gains the output a model names in connection:', async () => {
    const one = 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: warehouse.duckdb\n      schema: main\n';
    const p = await agedProject({ 'models/orders.sql': "{{ config(connection='archive') }}\nselect 1 as id\n" }, { profile: one });
    compile(p);
    expect(compile(p)).toContain(REUSED);
    expect((manifest(p).nodes as Record<string, { schema: string }>)['model.shop.orders'].schema).toBe('main');
    p.write({ 'profiles.yml': `${one}    archive:\n      type: duckdb\n      path: archive.duckdb\n      schema: archived\n` });
    expect(compile(p)).not.toContain(REUSED);
    expect((manifest(p).nodes as Record<string, { schema: string }>)['model.shop.orders'].schema).toBe('archived');
  });

  it('compiles again once a deprecation date it warns about has passed', async () => {
    // quoted: YAML would read an unquoted time as a timestamp
    const soon = new Date(Date.now() + 7000).toISOString().replace(/\.\d+Z$/, 'Z');
    const p = await agedProject({
      'models/old_orders.sql': 'select 1 as id\n',
      'models/report.sql': "select * from {{ ref('old_orders') }}\n",
      'models/schema.yml': `version: 2\nmodels:\n  - name: old_orders\n    deprecation_date: "${soon}"\n`,
    });
    expect(compile(p)).toContain('slated for deprecation');
    const again = compile(p);
    if (Date.now() < Date.parse(soon) - 500) expect(again).toContain(REUSED);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(soon) - Date.now() + 200)));
    const after = compile(p);
    expect(after).toContain("(compiled again: a model's deprecation date passed)");
    expect(after).toContain('has passed its deprecation date');
  });

  it('does not keep a compile made from a secret, nor one whose files changed just before it', async () => {
    const fresh = new TempProject(BASE);
    projects.push(fresh);
    compile(fresh);
    expect(cacheFiles(fresh)).toHaveLength(0);

    const profile = "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: warehouse.duckdb\n      schema: \"{{ env_var('DBT_ENV_SECRET_SCHEMA') }}\"\n";
    const p = await agedProject(BASE, { profile });
    compile(p, [], { DBT_ENV_SECRET_SCHEMA: 'hidden_schema' });
    expect(cacheFiles(p)).toHaveLength(0);

    // a secret's value inside a variable a model may read: manifest.json masks it, the cache must not hold it
    const url = await agedProject({ 'models/conn.sql': "select '{{ env_var('TSQL_CACHE_TEST_URL') }}' as url\n" });
    const env = { DBT_ENV_SECRET_PW: 's3cr3t_pw', TSQL_CACHE_TEST_URL: 'postgres://u:s3cr3t_pw@h/db' };
    compile(url, [], env);
    expect(compile(url, [], env)).not.toContain(REUSED);
    expect(compiled(url, 'conn')).not.toContain('s3cr3t_pw');
    expect(cacheFiles(url)).toHaveLength(0);
  });

  it('treats a damaged cache as absent, and a run-operation after a reused compile still finds its macros', async () => {
    const p = await agedProject({ ...BASE, 'macros/ops.sql': "{% macro shout(word) %}{{ log('heard ' ~ word, info=True) }}{% endmacro %}\n" });
    compile(p);
    const [entry] = cacheFiles(p);
    const file = join(p.dir, 'target', '.tsql_cache', entry);
    writeFileSync(file, readFileSync(file).subarray(0, 5000));
    expect(compile(p)).not.toContain(REUSED);
    expect(compile(p)).toContain(REUSED);
    // cut in the manifest's body: read back, manifest.json would be written broken
    const whole = readFileSync(file);
    writeFileSync(file, whole.subarray(0, whole.length - 100));
    expect(compile(p)).not.toContain(REUSED);
    expect(Object.keys(manifest(p).nodes as object)).toContain('model.shop.orders');
    expect(compile(p)).toContain(REUSED);
    const op = p.tsql(['run-operation', 'shout', '--args', '{word: hi}']);
    expect(op.code, op.stderr).toBe(0);
    expect(op.stdout).toContain('heard hi');
  });
});
