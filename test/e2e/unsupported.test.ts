import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useProjects } from '../helpers/project.js';
import { UNSUPPORTED_CONFIG, UNSUPPORTED_PROJECT, UNSUPPORTED_PROPERTIES_TOP } from '../../src/project/unsupported.js';
import { MODEL_CONFIG_KEYS, SEED_CONFIG_KEYS, SOURCE_CONFIG_KEYS, TEST_CONFIG_KEYS } from '../../src/project/config-keys.js';

const project = useProjects();

describe('nothing tsql does not act on is silent', () => {
  it('every unsupported config key is a key tsql accepts (the table and the accepted keys agree)', () => {
    const accepted = new Set([...MODEL_CONFIG_KEYS, ...SEED_CONFIG_KEYS, ...TEST_CONFIG_KEYS, ...SOURCE_CONFIG_KEYS]);
    for (const k of Object.keys(UNSUPPORTED_CONFIG)) expect(accepted.has(k), k).toBe(true);
    expect(Object.keys(UNSUPPORTED_PROJECT)).toContain('log-path');
    expect(Object.keys(UNSUPPORTED_PROPERTIES_TOP)).toEqual(expect.arrayContaining(['metrics', 'semantic_models', 'saved_queries']));
  });

  it('an ignored config key warns where it is written: project file, properties YAML, config() in SQL', () => {
    const p = project({
      'tsql_project.yml': `name: shop
profile: shop
log-path: logs
models:
  shop:
    +on_configuration_change: apply
`,
      'models/a.sql': `select 1 as id`,
      'models/b.sql': `{{ config(autorefresh=true) }}\nselect 2 as id`,
      'models/props.yml': `version: 2
models:
  - name: a
    config:
      partition_by: {field: id}
    columns:
      - name: id
        policy_tags: [x]
metrics:
  - name: revenue
semantic_models:
  - name: orders
`,
    });
    const r = p.tsql(['run']);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toContain("tsql_project.yml:3: project key 'log-path' is ignored");
    expect(r.stdout + r.stderr).toContain("tsql_project.yml:6: model config 'on_configuration_change' is ignored");
    expect(r.stdout + r.stderr).toContain("models/props.yml:5: model config 'partition_by' is ignored");
    expect(r.stdout + r.stderr).toContain("models/props.yml:8: column property 'policy_tags' is ignored");
    expect(r.stdout + r.stderr).toContain("models/props.yml:9: top-level key 'metrics' is ignored: the semantic layer is dbt Cloud's");
    expect(r.stdout + r.stderr).toContain("models/props.yml:11: top-level key 'semantic_models' is ignored");
    expect(r.stdout + r.stderr).toContain("models/b.sql:1: model config 'autorefresh' is ignored");
  });

  it('--warn-error turns those warnings into a stop before anything runs', () => {
    const p = project({ 'models/a.sql': `{{ config(partition_by={'field': 'id'}) }} select 1 as id` });
    const r = p.tsql(['run', '--warn-error']);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain("partition_by");
  });

  it('Python models are an error, as a .py file or as config', () => {
    const p = project({ 'models/a.sql': `select 1 as id`, 'models/py_model.py': `def model(dbt, session):\n    return None\n` });
    const r = p.tsql(['run']);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain('models/py_model.py: Python models are not supported');
    p.remove('models/py_model.py');
    p.write({ 'models/props.yml': `models:\n  - name: a\n    config:\n      language: python\n      submission_method: serverless_cluster\n` });
    const r2 = p.tsql(['run']);
    expect(r2.code).toBe(2);
    expect(r2.stdout + r2.stderr).toContain("models/props.yml:4: model config 'language' is not supported: Python models are deliberately not supported");
    expect(r2.stdout + r2.stderr).toContain("models/props.yml:5: model config 'submission_method' is not supported");
  });

  it('model versions are an error; doc files are read (no warning); docs/group/access reach the manifest', async () => {
    const p = project({
      'models/a.sql': `select 1 as id`,
      'models/docs.md': `{% docs a %}the a model{% enddocs %}`,
      'models/props.yml': `groups:\n  - name: finance\n    owner: {name: Finance}\nmodels:\n  - name: a\n    docs: {show: false}\n    group: finance\n    access: public\n`,
    });
    const r = p.tsql(['compile']);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/docs\.md|warning/);
    const { readFileSync } = await import('node:fs');
    const manifest = JSON.parse(readFileSync(`${p.dir}/target/manifest.json`, 'utf8'));
    expect(manifest.docs['doc.shop.a'].block_contents).toBe('the a model');
    const cfg = manifest.nodes['model.shop.a'].config;
    expect(cfg.docs).toEqual({ show: false });
    expect(cfg.group).toBe('finance');
    expect(cfg.access).toBe('public');
    p.write({ 'models/props.yml': `models:\n  - name: a\n    latest_version: 2\n` });
    const r2 = p.tsql(['compile']);
    expect(r2.code).toBe(2);
    expect(r2.stdout + r2.stderr).toContain("models/props.yml:3: model property 'latest_version' is not supported");
  });

  it('sql_header runs on the model\'s connection before its build (a temporary macro the select uses)', async () => {
    const p = project({ 'models/a.sql': `{{ config(materialized='table', sql_header="create or replace temporary macro twice(x) as x * 2") }} select twice(21) as v` });
    const r = p.tsql(['run']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await p.query('select v from main.a')).toEqual([{ v: 42 }]);
    p.write({ 'models/a.sql': `{{ config(sql_header=42) }} select 1 as v` });
    const bad = p.tsql(['run']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('sql_header');
  });

  it('set_sql_header sets it from the model\'s body, as in dbt ({% call set_sql_header(config) %})', async () => {
    const p = project({
      'models/a.sql': "{% call set_sql_header(config) %}\ncreate or replace temporary macro thrice(x) as x * 3;\n{% endcall %}\n{{ config(materialized='table') }}\nselect thrice(14) as v\n",
    });
    const r = p.tsql(['run']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await p.query('select v from main.a')).toEqual([{ v: 42 }]);
    const m = JSON.parse(readFileSync(join(p.dir, 'target', 'manifest.json'), 'utf8')) as { nodes: Record<string, { config: { sql_header: string } }> };
    expect(m.nodes['model.shop.a'].config.sql_header).toBe('\ncreate or replace temporary macro thrice(x) as x * 3;\n');
  });

  it("a column's config holds meta and tags", async () => {
    const p = project({
      'models/a.sql': `select 1 as id`,
      'models/props.yml': `sources:
  - name: shop
    loaded_at_query: select max(x) from y
    tables:
      - name: users
models:
  - name: a
    columns:
      - name: id
        quote: true
        config:
          meta: {pii: false}
          tags: [key]
`,
    });
    const r = p.tsql(['compile']);
    expect(r.code, r.stderr).toBe(0);
    const { readFileSync } = await import('node:fs');
    const col = JSON.parse(readFileSync(`${p.dir}/target/manifest.json`, 'utf8')).nodes['model.shop.a'].columns.id;
    expect(col.meta).toEqual({ pii: false });
    expect(col.tags).toEqual(['key']);
    p.write({ 'models/props.yml': `models:\n  - name: a\n    columns:\n      - name: id\n        config:\n          colour: red\n` });
    const bad = p.tsql(['compile']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("models/props.yml:6: unknown key 'colour' in the config of column 'id'");
  });
});
