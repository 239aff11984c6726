import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';

const project = useProjects();

const files = {
  'models/orders.sql': `select 1 as id, 10 as amount`,
  'models/eph.sql': `{{ config(materialized='ephemeral') }} select id from {{ ref('orders') }}`,
  'models/sources.yml': `sources:\n  - name: shop\n    schema: main\n    tables:\n      - name: users\n`,
  'analyses/revenue.sql': `select sum(amount) as revenue from {{ ref('orders') }} join {{ ref('eph') }} using (id)`,
  'models/exposures.yml': `version: 2
exposures:
  - name: weekly_revenue
    label: Weekly revenue
    type: dashboard
    maturity: high
    url: https://bi.example.com/dash/1
    description: the finance dashboard
    owner: {name: Finance, email: finance@example.com}
    depends_on:
      - ref('orders')
      - source('shop', 'users')
    tags: [finance]
`,
};

describe('analyses', () => {
  it('are compiled to target/compiled/<pkg>/analyses/ by compile and run, recorded as analysis nodes, never executed', async () => {
    const p = project(files);
    const r = p.tsql(['run']);
    expect(r.code).toBe(0);
    const compiled = readFileSync(join(p.dir, 'target/compiled/shop/analyses/revenue.sql'), 'utf8');
    expect(compiled).toContain('"warehouse"."main"."orders"');
    expect(compiled).toContain('__tsql__cte__eph');
    expect(await p.query(`select count(*)::int as n from information_schema.tables where table_name = 'revenue'`)).toEqual([{ n: 0 }]);
    const manifest = JSON.parse(readFileSync(join(p.dir, 'target/manifest.json'), 'utf8'));
    const a = manifest.nodes['analysis.shop.revenue'];
    expect(a.resource_type).toBe('analysis');
    expect(a.depends_on.nodes).toContain('model.shop.orders');
    expect(r.stdout).not.toContain('revenue');
    const ls = p.tsql(['ls', '--select', 'resource_type:analysis']);
    expect(ls.stdout.trim()).toBe('shop.revenue');
  });

  it('a bad ref in an analysis is an error naming its file', () => {
    const p = project({ ...files, 'analyses/bad.sql': `select * from {{ ref('ordrs') }}` });
    const r = p.tsql(['compile']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('analyses/bad.sql');
    expect(r.stderr).toContain("did you mean 'orders'");
  });
});

describe('exposures', () => {
  it('are recorded in manifest.json with their depends_on, listed and selectable, never executed', () => {
    const p = project(files);
    expect(p.tsql(['compile']).code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(p.dir, 'target/manifest.json'), 'utf8'));
    const x = manifest.exposures['exposure.shop.weekly_revenue'];
    expect(x).toMatchObject({ name: 'weekly_revenue', type: 'dashboard', maturity: 'high', label: 'Weekly revenue', url: 'https://bi.example.com/dash/1', owner: { name: 'Finance', email: 'finance@example.com' }, tags: ['finance'] });
    expect(x.depends_on.nodes.sort()).toEqual(['model.shop.orders', 'source.shop.shop.users']);
    expect(manifest.child_map['model.shop.orders']).toContain('exposure.shop.weekly_revenue');
    expect(p.tsql(['ls', '--select', 'exposure:weekly_revenue']).stdout.trim()).toBe('exposure:shop.weekly_revenue');
    const up = p.tsql(['ls', '--select', '+exposure:weekly_revenue', '--output', 'name']).stdout.trim().split('\n').sort();
    expect(up).toEqual(['orders', 'users', 'weekly_revenue']);
    const run = p.tsql(['run', '--select', '+exposure:weekly_revenue']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('orders');
    expect(run.stdout).not.toContain('weekly_revenue');
  });

  it('an unknown ref, a bad type or a missing owner is an error with file, line and suggestion', () => {
    const p = project({
      ...files,
      'models/exposures.yml': `exposures:
  - name: a
    type: dashbord
    owner: {name: x}
  - name: b
    type: notebook
    owner: {email: b@example.com}
    depends_on:
      - ref('ordres')
  - name: c
    type: ml
`,
    });
    const r = p.tsql(['compile']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("models/exposures.yml:3: unknown exposure type 'dashbord' (did you mean 'dashboard'?)");
    expect(r.stderr).toContain("models/exposures.yml:10: exposure 'c' needs an owner");
    p.write({ 'models/exposures.yml': `exposures:\n  - name: b\n    type: notebook\n    owner: {email: b@example.com}\n    depends_on:\n      - ref('ordres')\n` });
    const r2 = p.tsql(['compile']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("models/exposures.yml:6: exposure 'b': ref('ordres') does not match any model or seed (did you mean 'orders'?)");
  });

  it('a name written a second (or third) time is an error at that place naming the first', () => {
    const again = `exposures:\n  - name: weekly_revenue\n    type: ml\n    owner: {name: x}\nsources:\n  - name: shop\n    tables:\n      - name: users\nmodels:\n  - name: orders\nmacros:\n  - name: cents\n`;
    const p = project({ ...files, 'models/macros.yml': `macros:\n  - name: cents\n`, 'models/orders.yml': `models:\n  - name: orders\n`, 'models/z1.yml': again, 'models/z2.yml': again });
    const r = p.tsql(['parse']);
    expect(r.code).toBe(2);
    for (const file of ['z1', 'z2']) {
      expect(r.stderr).toContain(`models/${file}.yml:2: exposure 'weekly_revenue' is defined twice (also in models/exposures.yml:3)`);
      expect(r.stderr).toContain(`models/${file}.yml:8: source table 'shop.users' is defined twice (also in models/sources.yml:5)`);
      expect(r.stderr).toContain(`models/${file}.yml:10: model 'orders' is described twice (also in models/orders.yml:2)`);
      expect(r.stderr).toContain(`models/${file}.yml:12: macro 'cents' is described twice (also in models/macros.yml:2)`);
    }
    const group = `groups:\n  - name: finance\n    owner: {name: x}\n`;
    p.write({ 'models/groups.yml': group, 'models/z1.yml': group, 'models/z2.yml': group });
    const g = p.tsql(['compile']);
    expect(g.code).toBe(2);
    expect(g.stderr).toContain("models/z1.yml:2: group 'finance' is defined twice (also in models/groups.yml:2)");
    expect(g.stderr).toContain("models/z2.yml:2: group 'finance' is defined twice (also in models/groups.yml:2)");
  });
});

describe('tsql parse', () => {
  it('writes manifest.json without connecting to the warehouse, with a one-line summary', () => {
    const p = project(files, { profile: `shop:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: 127.0.0.1\n      port: 1\n      user: nobody\n      password: x\n      dbname: nothing\n      schema: public\n` });
    const r = p.tsql(['parse']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/Parsed 2 models, 0 seeds, 1 source, 0 data tests, 0 unit tests, 1 analysis, 1 exposure, 0 macros in [\d.]+s; wrote target\/manifest.json/);
    expect(existsSync(join(p.dir, 'target/manifest.json'))).toBe(true);
    p.write({ 'models/bad.sql': `select * from {{ ref('nope') }}` });
    const bad = p.tsql(['parse']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('models/bad.sql');
  });
});
