import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';

const project = useProjects();

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const SECRET = 'zq7-very-secret-value';

describe('env_var() secrets', () => {
  it('DBT_ENV_SECRET_* / TSQL_ENV_SECRET_* in a model, a macro or a hook is a compile error naming the file and line', () => {
    const p = project({
      'macros/m.sql': "{% macro pw() %}\n{{ return(env_var('TSQL_ENV_SECRET_PW')) }}\n{% endmacro %}\n",
      'models/a.sql': "select 1 as id,\n'{{ env_var('DBT_ENV_SECRET_PW') }}' as pw",
      'models/b.sql': "select '{{ pw() }}' as pw",
      'models/c.sql': "{{ config(post_hook=\"select '{{ env_var('DBT_ENV_SECRET_PW') }}'\") }}\nselect 1 as id",
    });
    const env = { DBT_ENV_SECRET_PW: SECRET, TSQL_ENV_SECRET_PW: SECRET };
    for (const cmd of ['compile', 'build']) {
      const r = p.tsql([cmd], env);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/error: models\/a\.sql:2: env_var\('DBT_ENV_SECRET_PW'\): secret variables can only be used in profiles\.yml/);
      expect(r.stderr).toMatch(/error: macros\/m\.sql:2: env_var\('TSQL_ENV_SECRET_PW'\): secret variables can only be used in profiles\.yml/);
      expect(r.stderr).toMatch(/error: models\/c\.sql:1: env_var\('DBT_ENV_SECRET_PW'\): secret/);
      expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
  });

  it('a secret used in profiles.yml works, and its value is masked in every target/ file and in the output', () => {
    const p = project(
      { 'models/a.sql': "select '{{ target.schema }}' as s, 1 as id", 'models/b.sql': "select * from {{ ref('a') }}" },
      {
        profile: `shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: warehouse.duckdb\n      schema: "{{ env_var('DBT_ENV_SECRET_SCHEMA') }}"\n`,
      },
    );
    const env = { DBT_ENV_SECRET_SCHEMA: SECRET.replaceAll('-', '_') };
    const value = env.DBT_ENV_SECRET_SCHEMA;
    for (const args of [['build'], ['compile', '--select', 'a'], ['ls', '--output', 'json'], ['debug']]) {
      const r = p.tsql(args, env);
      if (args[0] !== 'debug') expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr, args.join(' ')).not.toContain(value);
    }
    const files = filesUnder(join(p.dir, 'target')).filter((f) => !f.includes('.tsql_cache'));
    expect(files.some((f) => f.endsWith('manifest.json'))).toBe(true);
    expect(files.some((f) => f.includes('/compiled/'))).toBe(true);
    for (const f of files) expect(readFileSync(f, 'latin1'), f).not.toContain(value);
    expect(readFileSync(join(p.dir, 'target/compiled/shop/models/a.sql'), 'utf8')).toContain("'********' as s");
  });

  it("other env_var() values are recorded in unrendered_config as the expression, not the value", () => {
    const p = project({ 'models/a.sql': "{{ config(materialized='table', alias=env_var('TSQL_TEST_ALIAS', 'a')) }}\nselect 1 as id" });
    const r = p.tsql(['compile'], { TSQL_TEST_ALIAS: 'aliased_x' });
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(p.dir, 'target/manifest.json'), 'utf8')) as { nodes: Record<string, { unrendered_config: Record<string, unknown>; config: Record<string, unknown> }> };
    const node = manifest.nodes['model.shop.a'];
    // already so before: the config() call is read statically, its expression kept as text
    expect(node.unrendered_config.alias).toEqual({ expression: "env_var('TSQL_TEST_ALIAS', 'a')" });
    expect(JSON.stringify(node.unrendered_config)).not.toContain('aliased_x');
    expect(node.config.alias).toBe('aliased_x');
  });
});
