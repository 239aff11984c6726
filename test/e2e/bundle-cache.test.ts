import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/project.js';

/**
 * bin/tsql.js runs the bundle dist/tsql.cjs with V8's code cache, kept next to the bundle.
 * Each test uses its own copy of the installation (bin/, the bundle, package.json and a link
 * to node_modules), so the cache files it writes are its own.
 */
describe('the CLI bundle and its V8 code cache', () => {
  let install: string;
  let project: string;

  beforeEach(() => {
    install = mkdtempSync(join(tmpdir(), 'tsql-install-'));
    mkdirSync(join(install, 'bin'));
    mkdirSync(join(install, 'dist'));
    copyFileSync(join(REPO_ROOT, 'bin', 'tsql.js'), join(install, 'bin', 'tsql.js'));
    copyFileSync(join(REPO_ROOT, 'dist', 'tsql.cjs'), join(install, 'dist', 'tsql.cjs'));
    copyFileSync(join(REPO_ROOT, 'package.json'), join(install, 'package.json'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(install, 'node_modules'), 'dir');
    project = mkdtempSync(join(tmpdir(), 'tsql-bundle-project-'));
    writeFileSync(join(project, 'tsql_project.yml'), 'name: shop\nprofile: shop\n');
    writeFileSync(join(project, 'profiles.yml'), 'shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: warehouse.duckdb\n      schema: main\n');
    mkdirSync(join(project, 'models'));
    writeFileSync(join(project, 'models', 'orders.sql'), 'select 1 as id\n');
    writeFileSync(join(project, 'models', 'big_orders.sql'), "{{ config(materialized='table') }}\nselect id from {{ ref('orders') }} where id > {{ var('min', 0) }}\n");
  });

  afterEach(() => {
    rmSync(install, { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
  });

  const tsql = (args: string[]) => spawnSync(process.execPath, [join(install, 'bin', 'tsql.js'), ...args], { cwd: project, encoding: 'utf8' });
  const caches = () => readdirSync(join(install, 'dist')).filter((f) => f.endsWith('.v8'));
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

  it('writes the cache once, after the first command, and then only reads it', () => {
    expect(caches()).toEqual([]);
    const first = tsql(['--version']);
    expect(first.status).toBe(0);
    expect(first.stdout.trim()).toBe(version);
    expect(caches()).toHaveLength(1);
    const file = join(install, 'dist', caches()[0]!);
    const written = statSync(file).mtimeMs;
    const bytes = readFileSync(file);
    expect(bytes.length).toBeGreaterThan(10_000);

    const run = tsql(['run']);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/PASS=2/);
    expect(caches()).toHaveLength(1);
    expect(statSync(file).mtimeMs).toBe(written);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('a cache V8 refuses (damaged, or from another build) is ignored and written again', () => {
    expect(tsql(['--version']).status).toBe(0);
    const file = join(install, 'dist', caches()[0]!);
    writeFileSync(file, Buffer.alloc(200_000, 7));

    const compiled = tsql(['compile', '--vars', 'min: 5']);
    expect(compiled.status, compiled.stdout + compiled.stderr).toBe(0);
    expect(readFileSync(join(project, 'target', 'compiled', 'shop', 'models', 'big_orders.sql'), 'utf8')).toMatch(/from "warehouse"\."main"\."orders" where id > 5/);
    const rewritten = readFileSync(file);
    expect(rewritten.equals(Buffer.alloc(200_000, 7))).toBe(false);
    expect(caches()).toHaveLength(1);

    // accepted from now on: not written again
    const mtime = statSync(file).mtimeMs;
    expect(tsql(['ls']).status).toBe(0);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });

  it('a rebuilt bundle gets its own cache', () => {
    expect(tsql(['--version']).status).toBe(0);
    const before = caches();
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(install, 'dist', 'tsql.cjs'), later, later);
    expect(tsql(['--version']).status).toBe(0);
    const after = caches();
    expect(after).toHaveLength(2);
    expect(after).toEqual(expect.arrayContaining(before));
  });

  it('with TSQL_DEBUG the bundle is loaded with its source map (stack traces name src/…ts) and no cache is written', () => {
    copyFileSync(join(REPO_ROOT, 'dist', 'tsql.cjs.map'), join(install, 'dist', 'tsql.cjs.map'));
    const r = spawnSync(process.execPath, [join(install, 'bin', 'tsql.js'), 'compile'], { cwd: project, encoding: 'utf8', env: { ...process.env, TSQL_DEBUG: '1' } });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(caches()).toEqual([]);
    // the same loading, and an error thrown inside the bundle
    const probe = `process.setSourceMapsEnabled(true); try { require(${JSON.stringify(join(install, 'dist', 'tsql.cjs'))}).formatPlace(undefined); } catch (e) { console.log(e.stack); }`;
    const stack = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' }).stdout;
    expect(stack).toMatch(/at .*formatPlace \(.*src\/errors\.ts:\d+:\d+\)/);
  });

  it('warns when dist/ has modules newer than the bundle (tsc run alone)', () => {
    mkdirSync(join(install, 'dist', 'cli'));
    const modules = join(install, 'dist', 'cli', 'main.js');
    copyFileSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'), modules);
    const older = new Date(Date.now() - 60_000);
    utimesSync(modules, older, older);
    const fine = tsql(['--version']);
    expect(fine.status).toBe(0);
    expect(fine.stderr).toBe('');
    const later = new Date(Date.now() + 60_000);
    utimesSync(modules, later, later);
    const stale = tsql(['--version']);
    expect(stale.status).toBe(0);
    expect(stale.stderr).toMatch(/^warning: .*tsql\.cjs is older than dist\/'s modules: run npm run build\n$/);
  });

  it('says how to build tsql when the bundle is missing', () => {
    rmSync(join(install, 'dist', 'tsql.cjs'));
    const r = tsql(['--version']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/tsql is not built .*tsql\.cjs is missing\): run npm install, or npm run build/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
