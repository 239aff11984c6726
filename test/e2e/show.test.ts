import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_ENGINES, useEngineProjects } from '../helpers/engines.js';
import { useProjects } from '../helpers/project.js';
import { pgConnection, pgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';

const project = useProjects();
const engineProject = useEngineProjects('show_dates');
const schemas: string[] = [];
afterEach(async () => {
  const drop = schemas.splice(0);
  if (drop.length) await pgQuery(drop.map((s) => `drop schema if exists "${s}" cascade`).join(';\n'));
});

const files = {
  'models/nums.sql': `{{ config(materialized='table') }} select i as id, 'n' || i as label from generate_series(1, 12) as t(i)`,
  'models/eph.sql': `{{ config(materialized='ephemeral') }} select id * 10 as tens from {{ ref('nums') }}`,
  'analyses/top.sql': `select id from {{ ref('nums') }} order by id desc`,
};

describe('tsql show', () => {
  for (const engine of ['duckdb', 'postgres'] as const) {
    it(`previews a model (default limit 5), an analysis and inline SQL, as a table or JSON (${engine})`, async () => {
      let env: Record<string, string> = {};
      let p;
      if (engine === 'postgres') {
        const schema = uniqueSchema('show');
        schemas.push(schema);
        p = project(files, { profile: pgProfile(schema, 'PGPW_SHOW') });
        env = { PGPW_SHOW: pgConnection().password };
      } else {
        p = project(files);
      }
      expect(p.tsql(['run'], env).code).toBe(0);
      const r = p.tsql(['show', '--select', 'nums'], env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("Previewing node 'nums':");
      const table = r.stdout.slice(r.stdout.indexOf('Previewing')).trim().split('\n');
      expect(table[1]).toMatch(/^\| id \| label \|$/);
      expect(table.length).toBe(1 + 2 + 5);

      const j = p.tsql(['show', '--inline', "select tens from {{ ref('eph') }} order by tens", '--limit', '3', '--output', 'json'], env);
      expect(j.code).toBe(0);
      expect(JSON.parse(j.stdout.trim())).toEqual({ node: 'inline', show: [{ tens: 10 }, { tens: 20 }, { tens: 30 }] });

      const a = p.tsql(['show', '--select', 'top', '--limit', '2', '--output', 'json'], env);
      expect(a.code).toBe(0);
      expect(JSON.parse(a.stdout.trim())).toEqual({ node: 'top', show: [{ id: 12 }, { id: 11 }] });
    });
  }

  it('mistakes exit 2 before anything runs; a failing query exits 1', () => {
    const p = project(files);
    expect(p.tsql(['show']).code).toBe(2);
    const both = p.tsql(['show', '--select', 'nums', '--inline', 'select 1']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--select or --inline, not both');
    const lim = p.tsql(['show', '--select', 'nums', '--limit', 'many']);
    expect(lim.code).toBe(2);
    expect(lim.stderr).toContain("--limit must be a whole number from 1, got 'many'");
    const none = p.tsql(['show', '--select', 'nope']);
    expect(none.code).toBe(2);
    const badRef = p.tsql(['show', '--inline', "select * from {{ ref('numz') }}"]);
    expect(badRef.code).toBe(2);
    expect(badRef.stderr).toContain("<inline>:1: ref('numz') does not match any model or seed (did you mean 'nums'?)");
    // show runs the model's compiled select (as dbt does), so it reads its inputs, not its own table
    p.write({ 'models/reads_missing.sql': `select * from main.not_there` });
    const failing = p.tsql(['show', '--select', 'reads_missing']);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('model.shop.reads_missing (models/reads_missing.sql) failed');
  });

  it("previews the nodes the selection names, not the tests attached to them (as dbt's show)", () => {
    const p = project({
      ...files,
      'models/schema.yml': 'models:\n  - name: nums\n    columns:\n      - name: id\n        data_tests: [not_null, unique]\n',
    });
    expect(p.tsql(['run']).code).toBe(0);
    const r = p.tsql(['show', '--select', 'nums']);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/Previewing node/g)).toEqual(['Previewing node']);
    // a test named in the selection is still shown
    const t = p.tsql(['show', '--select', 'not_null_nums_id']);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain("Previewing node 'not_null_nums_id':");
  });

  for (const engine of LOCAL_ENGINES) {
    it(`prints dates, times, timestamps and intervals as the engine does, not as ISO instants (${engine})`, () => {
      const e = engineProject(engine, {
        'models/dated.sql': "select 1 as id, date '2024-01-03' as d, timestamp '2024-01-03 10:00:00' as ts, timestamp '2024-01-03 10:00:00.25' as ts_frac, time '10:11:12' as t, interval '3 days' as iv, cast(null as date) as nd",
      });
      expect(e.tsql(['run']).code).toBe(0);
      const r = e.tsql(['show', '--inline', "select * from {{ ref('dated') }}"]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const table = r.stdout.slice(r.stdout.indexOf('Previewing')).trim().split('\n');
      expect(table[1]).toMatch(/^\| id \| d +\| ts +\| ts_frac +\| t +\| iv +\| nd +\|$/);
      expect(table[3]!.split('|').map((c) => c.trim())).toEqual(['', '1', '2024-01-03', '2024-01-03 10:00:00', '2024-01-03 10:00:00.25', '10:11:12', '3 days', 'null', '']);
      const j = e.tsql(['show', '--inline', "select d, ts from {{ ref('dated') }}", '--output', 'json']);
      expect(j.code, j.stderr).toBe(0);
      expect(JSON.parse(j.stdout.trim())).toEqual({ node: 'inline', show: [{ d: '2024-01-03', ts: '2024-01-03 10:00:00' }] });
    });
  }
});
