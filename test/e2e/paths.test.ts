import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';
import { expectUserError } from '../helpers/assert.js';
import { pgConnection, pgProfile, uniqueSchema } from '../helpers/pg-server.js';

/**
 * Nothing outside the project or the lake root is read, written or deleted:
 * each case was reproduced by a security review, through the real CLI.
 */

const project = useProjects();
const outside: string[] = [];
afterEach(() => {
  while (outside.length) rmSync(outside.pop()!, { recursive: true, force: true });
});

/** A folder outside every project, holding a file that must survive. */
function victim(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsql-victim-'));
  outside.push(dir);
  writeFileSync(join(dir, 'x.csv'), 'keep me\n');
  return dir;
}

const SOURCES = (location: string) => `version: 2
sources:
  - name: raw
    tables:
      - name: events
        external:
          location: ${location}
          file_format: csv
        columns:
          - name: id
            data_type: integer
`;

describe('unload and external locations stay in the lake', () => {
  it('an unload location with .. or an absolute path is an error naming the model line; the file is untouched', () => {
    const v = victim();
    const p = project({ 'models/out.sql': `{{ config(materialized='unload',\n  location='../../../../../../..${v}/x.csv') }}\nselect 1 as id\n` });
    expectUserError(p, /^error: models\/out\.sql:2: unload model 'out': location '.*' is outside the lake: it resolves to .*x\.csv, outside the lake root .*lake \(locations are relative/);
    expect(readFileSync(join(v, 'x.csv'), 'utf8')).toBe('keep me\n');
    p.write({ 'models/out.sql': `{{ config(materialized='unload', location='${v}/x.csv') }}\nselect 1 as id\n` });
    expectUserError(p, /^error: models\/out\.sql:1: unload model 'out': location '.*x\.csv' is outside the lake/);
    expect(readFileSync(join(v, 'x.csv'), 'utf8')).toBe('keep me\n');
  });

  it('a symlink inside the lake that points out is followed before the check', () => {
    const v = victim();
    const p = project({ 'models/out.sql': `{{ config(materialized='unload', location='exports/x.csv') }}\nselect 1 as id\n` });
    mkdirSync(join(p.dir, 'lake'));
    symlinkSync(v, join(p.dir, 'lake', 'exports'));
    expectUserError(p, /^error: models\/out\.sql:1: unload model 'out': location 'exports\/x\.csv' is outside the lake: it resolves to .*tsql-victim-.*x\.csv/);
    expect(readFileSync(join(v, 'x.csv'), 'utf8')).toBe('keep me\n');
  });

  it('an external source location outside the lake is an error naming the properties file and line', () => {
    const v = victim();
    const p = project({ 'models/sources.yml': SOURCES(`../../${v}`), 'models/a.sql': "select * from {{ source('raw', 'events') }}\n" });
    expectUserError(p, /^error: models\/sources\.yml:5: external source raw\.events: location '.*' is outside the lake/);
  });

  it('on PostgreSQL too, nothing is streamed outside the lake', () => {
    const v = victim();
    const profile = pgProfile(uniqueSchema('paths'), 'PGPW_PATHS', { threads: 4 });
    const p = project({ 'models/out.sql': `{{ config(materialized='unload', location='../${v}/x.csv') }}\nselect 1 as id\n` }, { profile });
    expectUserError(p, /^error: models\/out\.sql:1: unload model 'out': location '.*' is outside the lake/, ['build'], { PGPW_PATHS: pgConnection().password });
    expect(readFileSync(join(v, 'x.csv'), 'utf8')).toBe('keep me\n');
  });

  it('a lake root outside the project must be allowed explicitly with allow_lake_outside_project', () => {
    const v = victim();
    const profile = (extra: string) => `shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: warehouse.duckdb\n      lake_root: ${v}/lake\n${extra}`;
    const p = project({ 'models/out.sql': `{{ config(materialized='unload', location='exports/x.csv') }}\nselect 1 as id\n` }, { profile: profile('') });
    expectUserError(p, /^error: profiles\.yml:7: lake_root .*tsql-victim-.*\/lake is outside the project directory \(add allow_lake_outside_project: true to output 'dev' if the lake is meant to live there\)$/);
    expect(existsSync(join(v, 'lake'))).toBe(false);
    p.write({ 'profiles.yml': profile('      allow_lake_outside_project: true\n') });
    const r = p.tsql(['build']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(v, 'lake', 'exports', 'x.csv'), 'utf8')).toBe('id\n1\n');
  });
});

describe('tsql clean stays in the project', () => {
  it('refuses a clean-targets entry that leads out through a symlinked folder, naming the entry and where it points', () => {
    const v = victim();
    mkdirSync(join(v, 'sub'));
    writeFileSync(join(v, 'sub', 'data.txt'), 'keep me\n');
    const p = project({ 'tsql_project.yml': 'name: shop\nprofile: shop\nclean-targets:\n  - target\n  - link/sub\n', 'models/a.sql': 'select 1\n' });
    symlinkSync(v, join(p.dir, 'link'));
    expectUserError(p, /^error: tsql_project\.yml:5: clean-targets entry 'link\/sub' is outside the project directory \(it points to .*tsql-victim-.*\/sub\); refusing to delete it$/, ['clean']);
    expect(readFileSync(join(v, 'sub', 'data.txt'), 'utf8')).toBe('keep me\n');
  });

  it('removes a symlink inside the project, and links inside a target, without touching what they point to', () => {
    const v = victim();
    const p = project({ 'tsql_project.yml': 'name: shop\nprofile: shop\nclean-targets: [target, out]\n', 'models/a.sql': 'select 1\n', 'target/x.txt': 'x' });
    symlinkSync(v, join(p.dir, 'out'));
    symlinkSync(v, join(p.dir, 'target', 'victim'));
    const r = p.tsql(['clean']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(existsSync(join(p.dir, 'target'))).toBe(false);
    expect(existsSync(join(p.dir, 'out'))).toBe(false);
    expect(readFileSync(join(v, 'x.csv'), 'utf8')).toBe('keep me\n');
  });
});

describe('the project file names folders inside the project', () => {
  it('target-path and *-paths outside the project (.., absolute, or a symlink out) are errors on their lines', () => {
    const v = victim();
    mkdirSync(join(v, 'models'));
    writeFileSync(join(v, 'models', 'stolen.sql'), 'select 1\n');
    const p = project({
      'tsql_project.yml': `name: shop\nprofile: shop\ntarget-path: ../x\nmodel-paths: [models, shared]\nseed-paths: ${v}\nmacro-paths: ["../.."]\ntest-paths: [tests]\nanalysis-paths: [.]\n`,
      'models/a.sql': 'select 1\n',
    });
    symlinkSync(join(v, 'models'), join(p.dir, 'shared'));
    const err = expectUserError(p, /^error: tsql_project\.yml:3: target-path '\.\.\/x' must be a folder inside the project directory \(use a path relative to the project, such as 'target'\)$/);
    expect(err).toMatch(/tsql_project\.yml:4: model-paths 'shared' is outside the project directory \(it points to .*tsql-victim-.*\/models\)/);
    expect(err).toMatch(/tsql_project\.yml:5: seed-paths '.*tsql-victim-[^']*' is outside the project directory \(use a path relative to the project, such as 'seeds'\)/);
    expect(err).toMatch(/tsql_project\.yml:6: macro-paths '\.\.\/\.\.' is outside the project directory/);
    expect(err).not.toMatch(/test-paths|analysis-paths/);
    expect(existsSync(join(p.dir, '..', 'x'))).toBe(false);
  });
});

describe('one project file', () => {
  it('tsql_project.yml and dbt_project.yml together are an error naming both and which to remove', () => {
    const p = project({ 'dbt_project.yml': 'name: other\nprofile: shop\n', 'models/a.sql': 'select 1\n' });
    expectUserError(p, /^error: both tsql_project\.yml and dbt_project\.yml are in .*; tsql reads one project file \(remove dbt_project\.yml; or remove tsql_project\.yml if dbt_project\.yml is the one to keep\)$/);
    expectUserError(p, /^error: both tsql_project\.yml and dbt_project\.yml/, ['clean']);
  });
});

describe('model, macro, YAML and seed files are text', () => {
  it('an empty model, a comment-only model and a binary one are errors naming the file before anything runs', () => {
    const p = project({
      'models/a_empty.sql': '\n  \n',
      'models/b_jinja_comment.sql': '{# nothing here yet #}\n',
      'models/c_sql_comment.sql': '-- todo\n/* later */\n',
      'models/d_binary.sql': 'select 1\u0000\u0001',
      'models/e_fine.sql': '-- the one real model\nselect 1 as id\n',
    });
    const err = expectUserError(p, /^error: models\/a_empty\.sql: the model is empty \(write a select, or delete the file\)$/);
    expect(err).toMatch(/models\/b_jinja_comment\.sql: the model is only comments, no select/);
    expect(err).toMatch(/models\/c_sql_comment\.sql: the model is only comments, no select/);
    expect(err).toMatch(/models\/d_binary\.sql: binary file, not text \(a NUL byte at byte offset 8\)/);
    expect(err).not.toMatch(/e_fine/);
  });

  it('invalid UTF-8 in a model, macro, YAML or seed file names the file and the byte offset', () => {
    const p = project({ 'models/a.sql': 'select 1 as id\n', 'seeds/s.csv': 'id,name\n1,ok\n' });
    writeFileSync(join(p.dir, 'models', 'b.sql'), Buffer.concat([Buffer.from("select 'caf"), Buffer.from([0xc3, 0x28]), Buffer.from("' as x\n")]));
    mkdirSync(join(p.dir, 'macros'));
    writeFileSync(join(p.dir, 'macros', 'm.sql'), Buffer.concat([Buffer.from('{% macro m() %}\u00e9'), Buffer.from([0xe2, 0x82]), Buffer.from('{% endmacro %}')]));
    writeFileSync(join(p.dir, 'models', 'schema.yml'), Buffer.concat([Buffer.from('version: 2\n# '), Buffer.from([0xff]), Buffer.from('\n')]));
    const err = expectUserError(p, /^error: models\/b\.sql: not valid UTF-8: byte 0xc3 at byte offset 11 \(save the file as UTF-8\)$/);
    expect(err).toMatch(/macros\/m\.sql: not valid UTF-8: byte 0xe2 at byte offset 17/);
    expect(err).toMatch(/models\/schema\.yml: not valid UTF-8: byte 0xff at byte offset 13/);
    p.remove('models/b.sql');
    p.remove('macros/m.sql');
    p.remove('models/schema.yml');
    writeFileSync(join(p.dir, 'seeds', 's.csv'), Buffer.concat([Buffer.from('id,name\n1,'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('\n')]));
    expectUserError(p, /^error: seeds\/s\.csv: not valid UTF-8: byte 0xed at byte offset 10 \(save the file as UTF-8\)$/);
  });
});

describe('linked files and folders below a resource folder, as dbt reads them', () => {
  it('a linked model file is read (and a change behind the link is seen); a linked folder is named in a warning, not read in silence', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'tsql-shared-'));
    outside.push(shared);
    writeFileSync(join(shared, 'orders.sql'), 'select 1 as id\n');
    mkdirSync(join(shared, 'more'));
    writeFileSync(join(shared, 'more', 'refunds.sql'), 'select 2 as id\n');
    const p = project({ 'models/local.sql': "select * from {{ ref('orders') }}\n" });
    symlinkSync(join(shared, 'orders.sql'), join(p.dir, 'models', 'orders.sql'));
    symlinkSync(join(shared, 'more'), join(p.dir, 'models', 'more'));
    const r = p.tsql(['compile']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain('models/more: a link to a folder: no file below it is read (as in dbt)');
    const manifest = JSON.parse(readFileSync(join(p.dir, 'target', 'manifest.json'), 'utf8')) as { nodes: Record<string, unknown> };
    expect(Object.keys(manifest.nodes)).toContain('model.shop.orders');
    expect(Object.keys(manifest.nodes)).not.toContain('model.shop.refunds');
    // the compile cache compares the file behind the link: a change there is compiled
    await new Promise((res) => setTimeout(res, 2100));
    expect(p.tsql(['compile']).code).toBe(0);
    writeFileSync(join(shared, 'orders.sql'), 'select 9 as id\n');
    expect(p.tsql(['compile']).code).toBe(0);
    expect(readFileSync(join(p.dir, 'target', 'compiled', 'shop', 'models', 'orders.sql'), 'utf8')).toContain('select 9 as id');
  });
});
