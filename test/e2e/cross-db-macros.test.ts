/**
 * dbt's cross-database macros (`dbt.dateadd`, `type_string()`, …) through the real
 * CLI: the same fixture project and the same expected values on DuckDB and
 * PostgreSQL; a project override of an engine's implementation; an unknown
 * `dbt.x` is an error naming the model's file and line.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { useProjects, type CliResult } from '../helpers/project.js';
import { pgConnection, pgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';
import { CROSS_DB_ARRAY_FILES, CROSS_DB_EXPECTED, CROSS_DB_FILES, crossDbResults } from '../fixtures/cross-db.js';

const project = useProjects();
const PASSWORD_ENV = 'TSQL_TEST_PG_PASSWORD';
const schemas: string[] = [];

afterEach(async () => {
  const drop = schemas.splice(0);
  if (drop.length) await pgQuery(drop.map((s) => `drop schema if exists "${s}" cascade`).join(';\n'));
});

function ok(r: CliResult): CliResult {
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r;
}

describe('cross-database macros', () => {
  it('DuckDB: every macro, through dbt.x and unqualified, positional and keyword arguments', async () => {
    const p = project({ ...CROSS_DB_FILES, ...CROSS_DB_ARRAY_FILES });
    ok(p.tsql(['run']));
    expect(await crossDbResults((sql) => p.query(sql), (m) => `main.${m}`)).toEqual(CROSS_DB_EXPECTED);
  });

  it('PostgreSQL: the same values', async () => {
    const schema = uniqueSchema('xdb');
    schemas.push(schema);
    const c = pgConnection();
    const p = project(
      { ...CROSS_DB_FILES, ...CROSS_DB_ARRAY_FILES },
      {
        profile: pgProfile(schema, PASSWORD_ENV),
      },
    );
    ok(p.tsql(['run'], { [PASSWORD_ENV]: c.password }));
    expect(await crossDbResults((sql) => pgQuery(sql), (m) => `"${schema}".${m}`)).toEqual(CROSS_DB_EXPECTED);
  });

  it("a project's duckdb__dateadd and its own type_string override tsql's, for dbt.x and unqualified calls", async () => {
    const p = project({
      'macros/overrides.sql': `{% macro duckdb__dateadd(datepart, interval, from_date_or_timestamp) %}({{ from_date_or_timestamp }} + interval 100 year){% endmacro %}
{% macro type_string() %}varchar(7){% endmacro %}`,
      'models/o.sql': `select cast(cast({{ dbt.dateadd('day', 1, "cast('2024-01-31' as date)") }} as date) as varchar) as a,
  cast(cast({{ dateadd('day', 1, "cast('2024-01-31' as date)") }} as date) as varchar) as b,
  '{{ dbt.type_string() }}' as t, '{{ dbt.hash("x") }}' as h`,
    });
    ok(p.tsql(['run']));
    expect(await p.query('select * from main.o')).toEqual([{ a: '2124-01-31', b: '2124-01-31', t: 'varchar(7)', h: 'md5(cast(x as varchar(7)))' }]);
    const manifest = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(`${p.dir}/target/manifest.json`, 'utf8')));
    const deps: string[] = manifest.nodes['model.shop.o'].depends_on.macros;
    // dbt.dateadd( and dateadd( both count; the SQL inside a string argument ("cast(…)") does not
    expect(deps).toEqual(['macro.shop.type_string', 'macro.tsql.dateadd', 'macro.tsql.hash']);
    expect(manifest.macros['macro.tsql.dateadd'].depends_on.macros).toContain('macro.shop.duckdb__dateadd');
    expect(manifest.macros['macro.tsql.default__hash'].depends_on.macros).toContain('macro.shop.type_string');
  });

  it("an unknown dbt.x is an error naming the model's file and line, with the closest name", () => {
    const p = project({ 'models/bad.sql': `select 1 as x,\n  {{ dbt.dateadd('day', 1, 'x') }} as y,\n  {{ dbt.datediffs('a', 'b', 'day') }} as z` });
    const r = p.tsql(['compile']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/models\/bad\.sql:3: 'dbt\.datediffs' is not a macro of the dbt namespace.*did you mean 'datediff'\?/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
