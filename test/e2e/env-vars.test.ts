import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';

const project = useProjects();
const twoTargets = `shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: dev.duckdb\n      schema: main\n    ci:\n      type: duckdb\n      path: ci.duckdb\n      schema: main\n`;

describe("dbt's environment variables, beside TSQL_*", () => {
  it('DBT_PROFILES_DIR, DBT_TARGET and DBT_TARGET_PATH are read; TSQL_* wins over DBT_*, the flag over both', () => {
    const p = project({ 'models/a.sql': 'select 1 as id' }, { profile: null });
    mkdirSync(join(p.dir, 'conf'));
    writeFileSync(join(p.dir, 'conf/profiles.yml'), twoTargets);
    const env = { DBT_PROFILES_DIR: join(p.dir, 'conf'), DBT_TARGET: 'ci', DBT_TARGET_PATH: 'out' };
    expect(p.tsql(['run'], env).code).toBe(0);
    expect(existsSync(join(p.dir, 'ci.duckdb'))).toBe(true);
    expect(existsSync(join(p.dir, 'dev.duckdb'))).toBe(false);
    expect(existsSync(join(p.dir, 'out/manifest.json'))).toBe(true);
    expect(p.tsql(['run'], { ...env, TSQL_TARGET: 'dev' }).code).toBe(0);
    expect(existsSync(join(p.dir, 'dev.duckdb'))).toBe(true);
    const r = p.tsql(['run', '--target', 'nope'], { ...env, TSQL_TARGET: 'dev' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope');
  });

  it('DBT_PROFILE names another profile; DBT_LOG_FORMAT=json prints JSON lines; DBT_QUIET prints nothing on success', () => {
    const p = project({ 'models/a.sql': 'select 1 as id' }, { profile: `other:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: other.duckdb\n      schema: main\n` });
    const r = p.tsql(['run'], { DBT_PROFILE: 'other', DBT_LOG_FORMAT: 'json' });
    expect(r.code).toBe(0);
    expect(existsSync(join(p.dir, 'other.duckdb'))).toBe(true);
    for (const line of r.stdout.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    const q = p.tsql(['run'], { DBT_PROFILE: 'other', DBT_QUIET: 'true' });
    expect(q.code).toBe(0);
    expect(q.stdout).toBe('');
  });

  it('DBT_FULL_REFRESH, DBT_EMPTY and DBT_THREADS act like their flags', async () => {
    const p = project({
      'models/inc.sql': `{{ config(materialized='incremental') }} select 1 as id {% if is_incremental() %} union all select 2 {% endif %}`,
      'models/reads.sql': `{{ config(materialized='table') }} select * from {{ ref('inc') }}`,
    });
    expect(p.tsql(['run']).code).toBe(0);
    expect(p.tsql(['run']).code).toBe(0);
    expect((await p.query('select count(*)::int as n from main.inc'))[0].n).toBe(3);
    expect(p.tsql(['run'], { DBT_FULL_REFRESH: '1', DBT_THREADS: '1' }).code).toBe(0);
    expect((await p.query('select count(*)::int as n from main.inc'))[0].n).toBe(1);
    expect((await p.query('select count(*)::int as n from main.reads'))[0].n).toBe(1);
    expect(p.tsql(['run'], { DBT_EMPTY: 'true' }).code).toBe(0);
    expect((await p.query('select count(*)::int as n from main.reads'))[0].n).toBe(0);
  });

  it('DBT_WARN_ERROR makes a warning stop the run; DBT_DEFER without a state names the variable', () => {
    const p = project({ 'models/a.sql': `{{ config(partition_by={'field': 'id'}) }} select 1 as id` });
    expect(p.tsql(['run']).code).toBe(0);
    expect(p.tsql(['run'], { DBT_WARN_ERROR: '1' }).code).toBe(2);
    const r = p.tsql(['run'], { DBT_DEFER: '1' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DBT_DEFER needs --state');
  });

  it('a bad value exits 2 naming the variable', () => {
    const p = project({ 'models/a.sql': 'select 1 as id' });
    for (const [name, value] of [['DBT_THREADS', 'abc'], ['TSQL_FULL_REFRESH', 'maybe'], ['DBT_LOG_FORMAT', 'xml']]) {
      const r = p.tsql(['run'], { [name]: value });
      expect(r.code, name).toBe(2);
      expect(r.stderr).toContain(`environment variable ${name}`);
      expect(r.stderr).toContain(`'${value}'`);
    }
  });

  it("dbt variables tsql does not act on warn; DBT_DEFER_STATE is the state folder", () => {
    const p = project({ 'models/a.sql': 'select 1 as id' });
    const r = p.tsql(['run'], { DBT_INDIRECT_SELECTION: 'cautious', DBT_LOG_PATH: 'logs' });
    expect(r.code).toBe(0);
    // DBT_INDIRECT_SELECTION is --indirect-selection: acted on, so no warning
    expect(r.stderr).not.toContain('DBT_INDIRECT_SELECTION');
    expect(r.stderr).toContain('warning: environment variable DBT_LOG_PATH is ignored');
    const missing = p.tsql(['run', '--defer'], { DBT_DEFER_STATE: 'prod-artifacts' });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('prod-artifacts');
  });

  it("the project file's flags: are the last default (the environment and the flag win); other flags warn", () => {
    const p = project({
      'tsql_project.yml': `name: shop\nprofile: shop\nflags:\n  warn_error: true\n  send_anonymous_usage_stats: false\n`,
      'models/a.sql': `{{ config(partition_by={'field': 'id'}) }} select 1 as id`,
    });
    const r = p.tsql(['run']);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain("tsql_project.yml:5: flag 'send_anonymous_usage_stats' is ignored");
    expect(p.tsql(['run'], { DBT_WARN_ERROR: 'false' }).code).toBe(0);
    p.write({ 'tsql_project.yml': `name: shop\nprofile: shop\nflags:\n  fail_fast: maybe\n` });
    const bad = p.tsql(['run']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("tsql_project.yml:4: flag 'fail_fast' must be true or false");
  });

  it("flags: indirect_selection is --indirect-selection's default; a mode tsql does not know is exit 2 at its line", () => {
    const p = project({
      'tsql_project.yml': `name: shop\nprofile: shop\nflags:\n  indirect_selection: cautious\n`,
      'models/a.sql': 'select 1 as id',
      'models/b.sql': 'select 1 as id, 1 as a_id',
      'models/schema.yml': `models:\n  - name: b\n    columns:\n      - name: a_id\n        data_tests:\n          - relationships:\n              to: ref('a')\n              field: id\n`,
    });
    const listed = (env: Record<string, string> = {}) => p.tsql(['ls', '--select', 'a'], env).stdout.trim().split('\n');
    // cautious: the relationships test also reads b, which is not selected
    expect(listed()).toEqual(['shop.a']);
    expect(listed({ DBT_INDIRECT_SELECTION: 'eager' })).toEqual(['shop.a', 'shop.relationships_b_a_id__id__ref_a_']);
    expect(p.tsql(['ls', '--select', 'a', '--indirect-selection', 'eager']).stdout).toContain('relationships_b_a_id');
    p.write({ 'tsql_project.yml': `name: shop\nprofile: shop\nflags:\n  indirect_selection: cautios\n` });
    const bad = p.tsql(['ls', '--select', 'a']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`tsql_project.yml:4: flag 'indirect_selection' must be one of eager, cautious, buildable, empty, not "cautios" (did you mean 'cautious'?)`);
  });
});
