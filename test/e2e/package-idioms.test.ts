import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCliAsync, useProjects } from '../helpers/project.js';
import { pgConnection, pgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';

// Issue 11: the Jinja and API idioms of widely used packages (dbt_utils, dbt_expectations,
// dbt_date), reproduced by the fixture package pkg_idioms (test/fixtures/packages).
const project = useProjects();
const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'packages', 'pkg_idioms');

const FILES: Record<string, string> = {
  'tsql_project.yml': 'name: shop\nprofile: shop\n',
  'packages.yml': 'packages:\n  - local: vendor/pkg_idioms\n',
  'models/events.sql': "select 1 as id, 'a' as kind, 1 as version union all select 1, 'b', 2 union all select 2, null, 1",
  'models/latest.sql': "{{ pkg_idioms.latest_rows(ref('events'), 'id', 'version', label='pick') }}",
  'models/misc.sql': `{% set cols = pkg_idioms.columns_by_relation([ref('events'), ref('latest')]) %}
{% set counts = pkg_idioms.value_counts('select 1 as a, 2 as b') %}
select '{{ pkg_idioms.ident("Hello World-2") }}' as ident, '{{ pkg_idioms.stamp() }}' as stamp,
  {{ pkg_idioms.forward(1, c=10) }} as total, '{{ cols[ref('latest')] | join(',') }}' as latest_cols,
  {{ counts | length }} as n_cols`,
  'models/schema.yml': `models:
  - name: latest
    tests:
      - pkg_idioms.holds: {expression: "pick = 1"}
    columns:
      - name: kind
        tests:
          - pkg_idioms.min_share: {at_least: 0.5}
  - name: events
    columns:
      - name: kind
        tests:
          - pkg_idioms.min_share: {at_least: 0.9, group_by_columns: ['id'], config: {severity: warn}}
`,
};

const LATEST = [
  { id: 1, kind: 'b', version: 2, pick: 1 },
  { id: 2, kind: null, version: 1, pick: 1 },
];
const MISC = [{ ident: 'hello_world_2', stamp: '20240305', total: 13, latest_cols: 'id,kind,version,pick', n_cols: 2 }];

describe('package idioms (issue 11)', () => {
  it('a package using _private macros, **kwargs, relations as mappings and dict keys, modules, old-style test macros builds on DuckDB', async () => {
    const p = project(FILES);
    cpSync(FIXTURE, join(p.dir, 'vendor', 'pkg_idioms'), { recursive: true });
    expect((await runCliAsync(['deps'], p.dir)).code).toBe(0);
    const r = await runCliAsync(['build'], p.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await p.query('select id, kind, version, cast(pick as int) as pick from main.latest order by id')).toEqual(LATEST);
    expect(await p.query('select * from main.misc')).toEqual(MISC);
    expect(r.stdout).toMatch(/PASS.*pkg_idioms_holds_latest/);
    expect(r.stdout).toMatch(/PASS.*pkg_idioms_min_share_latest_0_5__kind/);
    // the group-by variant sees id 2's kind missing: the test can fail
    expect(r.stdout).toMatch(/WARN 1.*pkg_idioms_min_share_events_0_9__kind__id/);
  });

  it('the same project builds on PostgreSQL', async () => {
    const schema = uniqueSchema('idioms');
    const p = project({ ...FILES, 'profiles.yml': pgProfile(schema, 'TSQL_TEST_PG_PASSWORD') });
    cpSync(FIXTURE, join(p.dir, 'vendor', 'pkg_idioms'), { recursive: true });
    expect((await runCliAsync(['deps'], p.dir)).code).toBe(0);
    try {
      const r = await runCliAsync(['build'], p.dir, { TSQL_TEST_PG_PASSWORD: pgConnection().password });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(await pgQuery(`select id, kind, version, cast(pick as int) as pick from "${schema}".latest order by id`)).toEqual(LATEST);
      expect(await pgQuery(`select ident, stamp, total, latest_cols, n_cols from "${schema}".misc`)).toEqual(MISC);
    } finally {
      await pgQuery(`drop schema if exists "${schema}" cascade`);
    }
  });

  it('a relation check that fails names the macro, the file and the line', async () => {
    const p = project({ ...FILES, 'models/latest.sql': "{{ pkg_idioms.latest_rows('events', 'id', 'version') }}", 'models/schema.yml': '', 'models/misc.sql': 'select 1 as x' });
    cpSync(FIXTURE, join(p.dir, 'vendor', 'pkg_idioms'), { recursive: true });
    expect((await runCliAsync(['deps'], p.dir)).code).toBe(0);
    const r = await runCliAsync(['compile'], p.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/models\/latest\.sql:1: latest_rows: not a relation: events/);
  });
});
