import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCliAsync, useProjects } from '../helpers/project.js';
import { pgConnection, pgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';
import { git } from '../helpers/packages.js';

const project = useProjects();
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'packages');
const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A git repository holding a package in pkgs/remote_pkg, tagged v1.0.0, then a second commit on main. */
function makeGitRepo(): { url: string; dir: string; v1: string; v2: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tsql-pkg-repo-'));
  scratch.push(dir);
  const pkg = join(dir, 'pkgs', 'remote_pkg');
  mkdirSync(join(pkg, 'macros'), { recursive: true });
  writeFileSync(join(pkg, 'dbt_project.yml'), 'name: remote_pkg\nversion: "1.0.0"\n');
  writeFileSync(join(pkg, 'macros', 'm.sql'), '{% macro answer() %}41{% endmacro %}\n');
  git(dir, 'init', '--quiet', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '--quiet', '-m', 'v1');
  git(dir, 'tag', 'v1.0.0');
  const v1 = git(dir, 'rev-parse', 'HEAD');
  writeFileSync(join(pkg, 'macros', 'm.sql'), '{% macro answer() %}42{% endmacro %}\n');
  git(dir, 'commit', '--quiet', '-am', 'v2');
  const v2 = git(dir, 'rev-parse', 'HEAD');
  return { url: `file://${dir}`, dir, v1, v2 };
}

/** A root project using both fixture packages (vendor/) and the git package, overriding pkg_helpers' dispatch. */
function macroProject(gitUrl: string): Record<string, string> {
  return {
    'tsql_project.yml': 'name: shop\nprofile: shop\ndispatch:\n  - macro_namespace: pkg_helpers\n    search_order: [shop, pkg_helpers]\n',
    'packages.yml': `packages:\n  - local: vendor/pkg_expect\n  - git: "${gitUrl}"\n    revision: v1.0.0\n    subdirectory: pkgs/remote_pkg\n`,
    // the root project's shout wins for namespace pkg_helpers; its mine() wins for namespace dbt
    'macros/overrides.sql': "{% macro default__shout(text) %}'[' || upper({{ text }}) || ']'{% endmacro %}\n{% macro default__mine() %}'root'{% endmacro %}\n",
    'models/keys.sql': `select {{ pkg_expect.loud_key(['a', 'b']) }} as k, {{ pkg_expect.count_plus(3) }} as n, {{ remote_pkg.answer() }} as answer, {{ adapter.dispatch('mine', 'dbt')() }} as mine
from (select 'x' as a, 'y' as b union all select 'p' as a, null as b) t`,
    'models/schema.yml': 'models:\n  - name: keys\n    columns:\n      - name: n\n        tests:\n          - pkg_helpers.at_least: {min_value: 4}\n          - at_least: {min_value: 1}\n',
  };
}
const MACRO_ROWS = [
  { k: '[P-_]', n: 4, answer: 41, mine: 'root' },
  { k: '[X-Y]', n: 4, answer: 41, mine: 'root' },
];

function lockOf(dir: string): string {
  return readFileSync(join(dir, 'package-lock.yml'), 'utf8');
}

describe('tsql deps', () => {
  it('installs a local: and a git: package (revision, subdirectory) and pins the commit in package-lock.yml', async () => {
    const repo = makeGitRepo();
    const p = project({
      'packages.yml': `packages:\n  - local: vendor/pkg_helpers\n  - git: "${repo.url}"\n    revision: v1.0.0\n    subdirectory: pkgs/remote_pkg\n`,
      'models/a.sql': 'select 1 as x',
    });
    cpSync(join(FIXTURES, 'pkg_helpers'), join(p.dir, 'vendor', 'pkg_helpers'), { recursive: true });

    // before deps: the project refuses to load, naming packages.yml and saying what to do
    const before = await runCliAsync(['run'], p.dir);
    expect(before.code).toBe(2);
    expect(before.stderr).toMatch(/^error: packages\.yml:2: .*not installed \(run tsql deps\)/m);

    const r = await runCliAsync(['deps'], p.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Installed pkg_helpers');
    expect(r.stdout).toContain(`Installed remote_pkg (git: ${repo.url}@v1.0.0, commit ${repo.v1.slice(0, 12)})`);
    expect(readFileSync(join(p.dir, 'dbt_packages', 'remote_pkg', 'macros', 'm.sql'), 'utf8')).toContain('41');
    expect(existsSync(join(p.dir, 'dbt_packages', 'pkg_helpers', 'macros', 'helpers.sql'))).toBe(true);
    expect(existsSync(join(p.dir, 'dbt_packages', 'remote_pkg', '.git'))).toBe(false);
    const lock = lockOf(p.dir);
    expect(lock).toContain(`revision: ${repo.v1}`);
    expect(lock).toMatch(/sha1_hash: [0-9a-f]{40}/);

    const run = await runCliAsync(['run'], p.dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('package macros: namespaces, dispatch with a search-order override, return(), one package calling another, package generic tests', async () => {
    const repo = makeGitRepo();
    const p = project(macroProject(repo.url));
    cpSync(FIXTURES, join(p.dir, 'vendor'), { recursive: true });
    const deps = await runCliAsync(['deps'], p.dir);
    expect(deps.stderr).toBe('');
    expect(deps.stdout).toContain('Installed pkg_helpers'); // pkg_expect's own packages.yml
    const r = await runCliAsync(['build'], p.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await p.query('select * from main.keys order by k')).toEqual(MACRO_ROWS);
    expect(r.stdout).toMatch(/PASS.*at_least/);

    // a failing package test fails the build; an unknown namespace is an error naming the package
    p.write({ 'models/schema.yml': 'models:\n  - name: keys\n    columns:\n      - name: n\n        tests:\n          - pkg_helpers.at_least: {min_value: 99}\n' });
    expect((await runCliAsync(['build'], p.dir)).code).toBe(1);
    p.write({ 'models/schema.yml': '', 'models/bad.sql': "select {{ adapter.dispatch('shout', 'nopkg')('1') }} as x" });
    const bad = await runCliAsync(['compile'], p.dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/models\/bad\.sql.*adapter\.dispatch\('shout', 'nopkg'\) found no implementation.*nopkg is not an installed package: run tsql deps/);
  });

  it('the same package project builds on PostgreSQL', async () => {
    const repo = makeGitRepo();
    const schema = uniqueSchema('pkgs');
    const p = project({ ...macroProject(repo.url), 'profiles.yml': pgProfile(schema, 'TSQL_TEST_PG_PASSWORD') });
    cpSync(FIXTURES, join(p.dir, 'vendor'), { recursive: true });
    expect((await runCliAsync(['deps'], p.dir)).code).toBe(0);
    try {
      const r = await runCliAsync(['build'], p.dir, { TSQL_TEST_PG_PASSWORD: pgConnection().password });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(await pgQuery(`select k, n, answer, mine from "${schema}".keys order by k`)).toEqual(MACRO_ROWS);
    } finally {
      await pgQuery(`drop schema if exists "${schema}" cascade`);
    }
  });

  it('re-running deps honours the lock file; --upgrade re-resolves a branch', async () => {
    const repo = makeGitRepo();
    const p = project({ 'packages.yml': `packages:\n  - git: "${repo.url}"\n    revision: main\n    subdirectory: pkgs/remote_pkg\n` });
    git(repo.dir, 'checkout', '--quiet', '-b', 'side', repo.v1);
    git(repo.dir, 'branch', '-f', 'main', repo.v1); // main starts at v1
    git(repo.dir, 'checkout', '--quiet', 'main');
    expect((await runCliAsync(['deps'], p.dir)).code).toBe(0);
    expect(lockOf(p.dir)).toContain(`revision: ${repo.v1}`);

    git(repo.dir, 'reset', '--quiet', '--hard', repo.v2); // main moves on
    const again = await runCliAsync(['deps'], p.dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('pinned in package-lock.yml');
    expect(lockOf(p.dir)).toContain(`revision: ${repo.v1}`);
    expect(readFileSync(join(p.dir, 'dbt_packages', 'remote_pkg', 'macros', 'm.sql'), 'utf8')).toContain('41');

    const up = await runCliAsync(['deps', '--upgrade'], p.dir);
    expect(up.code).toBe(0);
    expect(lockOf(p.dir)).toContain(`revision: ${repo.v2}`);
    expect(readFileSync(join(p.dir, 'dbt_packages', 'remote_pkg', 'macros', 'm.sql'), 'utf8')).toContain('42');
  });

  it('installs a hub package by version range from DBT_PACKAGE_HUB_URL, and its own packages', async () => {
    // the stand-in hub: api/v1/<org>/<name>.json and the .tar.gz archives it names
    const work = mkdtempSync(join(tmpdir(), 'tsql-hub-'));
    scratch.push(work);
    const archives: Record<string, Buffer> = {};
    const makeArchive = (name: string, version: string, extra: Record<string, string> = {}) => {
      const top = join(work, `${name}-${version}`);
      mkdirSync(join(top, 'macros'), { recursive: true });
      writeFileSync(join(top, 'dbt_project.yml'), `name: ${name}\nversion: "${version}"\n`);
      writeFileSync(join(top, 'macros', 'v.sql'), `{% macro ${name}_version() %}'${version}'{% endmacro %}\n`);
      for (const [f, t] of Object.entries(extra)) writeFileSync(join(top, f), t);
      execFileSync('tar', ['-czf', join(work, `${name}-${version}.tar.gz`), '-C', work, `${name}-${version}`]);
      archives[`/${name}-${version}.tar.gz`] = readFileSync(join(work, `${name}-${version}.tar.gz`));
    };
    makeArchive('hub_utils', '0.9.0');
    makeArchive('hub_utils', '1.1.0');
    makeArchive('hub_utils', '1.2.0');
    makeArchive('hub_utils', '2.0.0');
    makeArchive('hub_expect', '0.3.0', { 'packages.yml': 'packages:\n  - package: acme/hub_utils\n    version: [">=1.0.0", "<2.0.0"]\n' });
    let base = '';
    const index = (name: string, versions: string[]) => ({
      name,
      versions: Object.fromEntries(versions.map((v) => [v, { name, version: v, downloads: { tarball: `${base}${name}-${v}.tar.gz` } }])),
    });
    const server: Server = createServer((req, res) => {
      const url = req.url ?? '';
      if (url === '/api/v1/index.json') return void res.end(JSON.stringify(['acme/hub_utils', 'acme/hub_expect']));
      if (url === '/api/v1/acme/hub_utils.json') return void res.end(JSON.stringify(index('hub_utils', ['0.9.0', '1.1.0', '1.2.0', '2.0.0'])));
      if (url === '/api/v1/acme/hub_expect.json') return void res.end(JSON.stringify(index('hub_expect', ['0.3.0'])));
      if (archives[url]) return void res.end(archives[url]);
      res.statusCode = 404;
      res.end('not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const p = project({ 'packages.yml': 'packages:\n  - package: acme/hub_expect\n    version: "0.3.0"\n' });
      const r = await runCliAsync(['deps'], p.dir, { DBT_PACKAGE_HUB_URL: base });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Installed hub_expect (package: acme/hub_expect, version 0.3.0)');
      expect(r.stdout).toContain('Installed hub_utils (package: acme/hub_utils, version 1.2.0)');
      expect(readFileSync(join(p.dir, 'dbt_packages', 'hub_utils', 'macros', 'v.sql'), 'utf8')).toContain("'1.2.0'");
      expect(lockOf(p.dir)).toMatch(/package: acme\/hub_utils\n\s+version: 1\.2\.0/);

      p.write({ 'packages.yml': 'packages:\n  - package: acme/hub_utils\n    version: [">=3.0.0"]\n' });
      const none = await runCliAsync(['deps'], p.dir, { DBT_PACKAGE_HUB_URL: base });
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/^error: packages\.yml:2: no version of acme\/hub_utils matches >=3\.0\.0/m);
      // the failed install left the installed packages alone
      expect(existsSync(join(p.dir, 'dbt_packages', 'hub_expect'))).toBe(true);
    } finally {
      server.close();
    }
  });

  it('errors name the file and line: an unknown key, a bad revision, both files, a missing local package', async () => {
    const repo = makeGitRepo();
    const p = project({ 'packages.yml': `packages:\n  - local: vendor/x\n  - git: "${repo.url}"\n    revsion: v1.0.0\n` });
    const unknown = await runCliAsync(['deps'], p.dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: packages\.yml:4: unknown key 'revsion' in a git: entry \(did you mean 'revision'\?\)/m);

    p.write({ 'packages.yml': `packages:\n  - git: "${repo.url}"\n    revision: v9.9.9\n` });
    const bad = await runCliAsync(['deps'], p.dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: packages\.yml:2: revision 'v9\.9\.9' does not exist in file:\/\//m);

    p.write({ 'packages.yml': 'packages:\n  - local: vendor/nothing\n' });
    const missing = await runCliAsync(['deps'], p.dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: packages\.yml:2: local package 'vendor\/nothing' is not a folder/m);

    p.write({ 'dependencies.yml': 'packages: []\n' });
    const both = await runCliAsync(['deps'], p.dir);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/both packages\.yml and dependencies\.yml/);
  });
});
