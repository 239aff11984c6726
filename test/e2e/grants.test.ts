import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useProjects, type CliResult, type TempProject } from '../helpers/project.js';
import { pgConnection, pgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';

/**
 * grants and persist_docs through the real CLI: on PostgreSQL (roles made by
 * the test, privileges read back from the catalog) and on DuckDB (comments;
 * grants are a warning there, naming where they are configured).
 */

const project = useProjects();
const PASSWORD_ENV = 'TSQL_TEST_PG_PASSWORD';
const schemas: string[] = [];
const roles: string[] = [];

afterEach(async () => {
  const drop = schemas.splice(0);
  if (drop.length) await pgQuery(drop.map((s) => `drop schema if exists "${s}" cascade`).join(';\n'));
  const gone = roles.splice(0);
  if (gone.length) await pgQuery(gone.map((r) => `drop role if exists "${r}"`).join(';\n'));
});

interface PgProject {
  p: TempProject;
  schema: string;
  tsql(args: string[]): CliResult;
}

function pgProject(files: Record<string, string>): PgProject {
  const schema = uniqueSchema('grants');
  schemas.push(schema);
  const p = project(files, { profile: pgProfile(schema, PASSWORD_ENV) });
  return { p, schema, tsql: (args) => p.tsql(args, { [PASSWORD_ENV]: pgConnection().password }) };
}

/** Three roles with unique names (roles are cluster-wide). */
async function makeRoles(): Promise<[string, string, string]> {
  const tag = randomBytes(4).toString('hex');
  const names: [string, string, string] = [`tsql_${tag}_reporter`, `tsql_${tag}_bi`, `tsql_${tag}_Audit`];
  roles.push(...names);
  await pgQuery(names.map((n) => `create role "${n}" nologin`).join(';\n'));
  return names;
}

function ok(r: CliResult): CliResult {
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r;
}

/** Who may select from each relation, among the given roles. */
async function selectors(schema: string, relations: string[], who: string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const rel of relations) {
    const rows = await pgQuery(`select r as role from unnest($1::text[]) as r where has_table_privilege(r, '"${schema}"."${rel}"', 'select') order by 1`.replace('$1::text[]', `array[${who.map((w) => `'${w}'`).join(',')}]::text[]`));
    out[rel] = rows.map((r) => String(r.role)).sort();
  }
  return out;
}

describe('grants on PostgreSQL', () => {
  it('grants after each build, revokes what the config no longer lists, and keeps a relation that is kept in line', async () => {
    const [a, b, c] = await makeRoles();
    const projectFile = (models: string[], seeds: string[]) =>
      `name: shop\nprofile: shop\nmodels:\n  shop:\n    +grants:\n      select: ${JSON.stringify(models)}\nseeds:\n  shop:\n    +grants:\n      select: ${JSON.stringify(seeds)}\n`;
    const pp = pgProject({
      'tsql_project.yml': projectFile([a], [a, b]),
      'models/t.sql': `{{ config(materialized='table', grants={'+select': ['${b}']}) }}\nselect 1 as id`,
      'models/v.sql': `{{ config(materialized='view') }}\nselect * from {{ ref('t') }}`,
      'models/inc.sql': `{{ config(materialized='incremental', unique_key='id', grants={'select': ['${b}']}) }}\nselect 1 as id`,
      'seeds/s.csv': 'id\n1\n',
    });
    const all = [a, b, c];
    const rels = ['t', 'v', 'inc', 's'];
    ok(pp.tsql(['build']));
    expect(await selectors(pp.schema, rels, all)).toEqual({ t: [a, b].sort(), v: [a], inc: [b], s: [a, b].sort() });

    // a grant made by hand on the incremental model, outside the config: revoked on the next run (as dbt does)
    await pgQuery(`grant select on "${pp.schema}"."inc" to "${c}"`);
    pp.p.write({
      'tsql_project.yml': projectFile([c], [b]),
      'models/inc.sql': `{{ config(materialized='incremental', unique_key='id', grants={'select': ['${a}']}) }}\nselect 1 as id`,
    });
    ok(pp.tsql(['build']));
    expect(await selectors(pp.schema, rels, all)).toEqual({ t: [b, c].sort(), v: [c], inc: [a], s: [b] });
    // the kept relation's grants were read and brought in line, in the run's DDL file
    const runSql = readFileSync(join(pp.p.dir, 'target/run/shop/models/inc.sql'), 'utf8');
    // read, then revoked and granted in the batch's transaction
    const batch = runSql.slice(runSql.indexOf('begin;'), runSql.indexOf('commit;'));
    expect(batch).toContain(`revoke select on table "${pgConnection().database}"."${pp.schema}"."inc" from "${b}", "${c}";`);
    expect(batch).toContain(`grant select on table "${pgConnection().database}"."${pp.schema}"."inc" to "${a}";`);

    // grants: {} changes nothing (no revoke), as in dbt
    await pgQuery(`grant select on "${pp.schema}"."inc" to "${c}"`);
    pp.p.write({
      'tsql_project.yml': 'name: shop\nprofile: shop\n',
      'models/inc.sql': `{{ config(materialized='incremental', unique_key='id', grants={}) }}\nselect 1 as id`,
    });
    ok(pp.tsql(['build', '--select', 'inc']));
    expect((await selectors(pp.schema, ['inc'], all)).inc).toEqual([a, c].sort());
  });

  it('persist_docs: the description on the relation and the documented columns, quotes escaped; a column the relation lacks is a warning with its line', async () => {
    const pp = pgProject({
      'tsql_project.yml': 'name: shop\nprofile: shop\nmodels:\n  +persist_docs:\n    relation: true\n    columns: true\nseeds:\n  +persist_docs: {relation: true, columns: true}\n',
      'models/orders.sql': `{{ config(materialized='table') }}\nselect 1 as id, 'x' as status`,
      'models/orders_v.sql': `select * from {{ ref('orders') }}`,
      'models/schema.yml': `models:
  - name: orders
    description: "The shop's orders"
    columns:
      - name: id
        description: one row's key
      - name: status
      - name: gone
        description: not built
  - name: orders_v
    description: a view over orders
    columns:
      - name: status
        description: "the order's status"
seeds:
  - name: cities
    description: cities we ship to
    columns:
      - name: name
        description: the city
`,
      'seeds/cities.csv': 'name\nLyon\n',
    });
    const r = ok(pp.tsql(['build']));
    expect(r.stdout + r.stderr).toContain(`models/schema.yml:8: column 'gone' of model 'orders' is documented but not in the built relation`);
    const s = pp.schema;
    const rows = await pgQuery(`select
      obj_description('"${s}"."orders"'::regclass, 'pg_class') as orders,
      col_description('"${s}"."orders"'::regclass, 1) as orders_id,
      col_description('"${s}"."orders"'::regclass, 2) as orders_status,
      obj_description('"${s}"."orders_v"'::regclass, 'pg_class') as view,
      col_description('"${s}"."orders_v"'::regclass, 2) as view_status,
      obj_description('"${s}"."cities"'::regclass, 'pg_class') as seed,
      col_description('"${s}"."cities"'::regclass, 1) as seed_name`);
    expect(rows[0]).toEqual({ orders: "The shop's orders", orders_id: "one row's key", orders_status: null, view: 'a view over orders', view_status: "the order's status", seed: 'cities we ship to', seed_name: 'the city' });
    // a rebuild keeps them (the new relation gets them before it is swapped in)
    ok(pp.tsql(['build']));
    expect((await pgQuery(`select obj_description('"${s}"."orders"'::regclass, 'pg_class') as d`))[0].d).toBe("The shop's orders");
  });
});

describe('grants config mistakes', () => {
  it('a list instead of a mapping, or a grantee that is not a string: exit 2 naming the file and line, nothing run', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'models/m.sql': 'select 1 as id', 'models/schema.yml': 'models:\n  - name: m\n    config:\n      grants: [select]\n' }, 'models/schema.yml:2'],
      [{ 'models/m.sql': "{{ config(grants={'select': [1]}) }}\nselect 1 as id" }, 'models/m.sql:1'],
      [{ 'models/m.sql': 'select 1 as id', 'tsql_project.yml': 'name: shop\nprofile: shop\nmodels:\n  shop:\n    +grants:\n      select: {a: 1}\n' }, 'tsql_project.yml:5'],
      [{ 'models/m.sql': 'select 1 as id', 'tsql_project.yml': 'name: shop\nprofile: shop\nmodels:\n  +persist_docs: {relation: yes please}\n' }, 'tsql_project.yml:4'],
    ];
    for (const [files, place] of cases) {
      const p = project(files);
      const r = p.tsql(['build']);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toContain(place);
      expect(r.stderr).toMatch(/grants|persist_docs/);
      expect(r.stdout).not.toContain('OK');
    }
  });
});

describe('DuckDB', () => {
  it('grants are a warning naming where they are configured; persist_docs become comments', async () => {
    const p = project({
      'tsql_project.yml': 'name: shop\nprofile: shop\nmodels:\n  shop:\n    +grants:\n      select: [reporter]\n    +persist_docs: {relation: true, columns: true}\n',
      'models/a.sql': "{{ config(materialized='table') }}\nselect 1 as id",
      'models/b.sql': "select 2 as id",
      'models/schema.yml': `models:\n  - name: a\n    description: "it's a"\n    columns:\n      - name: id\n        description: "a's id"\n  - name: b\n    description: view b\n    columns:\n      - name: id\n        description: b id\n`,
    });
    const r = p.tsql(['build']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toContain('tsql_project.yml:5: grants are configured for 2 nodes (a, b), but duckdb has no privileges: they are not applied');
    expect(out.match(/grants are configured/g)).toHaveLength(1);
    const t = await p.query(`select comment from duckdb_tables() where table_name = 'a'`);
    expect(t[0].comment).toBe("it's a");
    const v = await p.query(`select comment from duckdb_views() where view_name = 'b'`);
    expect(v[0].comment).toBe('view b');
    const cols = await p.query(`select table_name, comment from duckdb_columns() where table_name in ('a', 'b') order by 1`);
    expect(cols).toEqual([{ table_name: 'a', comment: "a's id" }, { table_name: 'b', comment: 'b id' }]);
  });
});
