import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';
import { expectUserError } from '../helpers/assert.js';

const project = useProjects();

describe("dbt's context functions in models", () => {
  it('set(), try_or_compiler_error() and api.Column.translate_type() compile as in dbt', () => {
    const p = project({
      'macros/parse_day.sql': "{% macro parse_day(s) %}{{ return(modules.datetime.datetime.fromisoformat(s).strftime('%Y%m%d')) }}{% endmacro %}",
      'models/a.sql': [
        "{% set cols = set(['id', 'name', 'id']) %}",
        "select {% for c in cols | sort %}'{{ c }}' as {{ c }}, {% endfor %}{{ cols | length }} as n,",
        "  cast(null as {{ api.Column.translate_type('string') }}) as s,",
        "  '{{ try_or_compiler_error('not a day', parse_day, '2024-03-05') }}' as day",
      ].join('\n'),
    });
    const r = p.tsql(['compile']);
    expect(r.code, r.stderr).toBe(0);
    const sql = readFileSync(join(p.dir, 'target', 'compiled', 'shop', 'models', 'a.sql'), 'utf8');
    expect(sql).toContain("select 'id' as id, 'name' as name, 2 as n,");
    expect(sql).toContain('cast(null as TEXT) as s,');
    expect(sql).toContain("'20240305' as day");
  });

  it("dbt_version answers as the dbt tsql's context follows, so packages pick dbt's cross-database macros", () => {
    const p = project({
      'macros/concat.sql': "{% macro my_concat(fields) %}{% if dbt_version >= '1.2.0' %}{{ return(dbt.concat(fields)) }}{% else %}{{ return('old') }}{% endif %}{% endmacro %}",
      'models/a.sql': "select {{ my_concat([\"'a'\", \"'b'\"]) }} as ab, '{{ dbt_version }}' as v\n",
    });
    expect(p.tsql(['compile']).code).toBe(0);
    expect(readFileSync(join(p.dir, 'target', 'compiled', 'shop', 'models', 'a.sql'), 'utf8')).toBe("select concat('a', 'b') as ab, '1.9.0' as v\n");
  });

  it('a project macro that overrides ref calls builtins.ref (dbt\'s pattern); project_name is the root project\'s name', () => {
    const p = project({
      'macros/ref.sql': "{% macro ref(model_name) %}{% do log('ref ' ~ model_name, info=true) %}{% do return(builtins.ref(model_name)) %}{% endmacro %}",
      'models/orders.sql': 'select 1 as id\n',
      'models/report.sql': "select '{{ project_name }}' as project, id from {{ ref('orders') }}\n",
    });
    const r = p.tsql(['compile']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ref orders');
    expect(readFileSync(join(p.dir, 'target', 'compiled', 'shop', 'models', 'report.sql'), 'utf8')).toBe(`select 'shop' as project, id from "warehouse"."main"."orders"\n`);
    // the dependency is known: selecting report's parents finds orders
    expect(p.tsql(['ls', '-s', '+report']).stdout.trim().split('\n')).toEqual(['shop.orders', 'shop.report']);
  });

  it('should_full_refresh() is the model\'s full_refresh config, else --full-refresh; target.threads is --threads when given', () => {
    const p = project({
      'models/a.sql': "select {{ should_full_refresh() }} as fr, {{ target.threads }} as threads\n",
      'models/b.sql': "{{ config(full_refresh=false) }}\nselect {{ should_full_refresh() }} as fr\n",
    });
    const compiled = (m: string) => readFileSync(join(p.dir, 'target', 'compiled', 'shop', 'models', `${m}.sql`), 'utf8');
    expect(p.tsql(['compile']).code).toBe(0);
    expect(compiled('a')).toContain('select False as fr, 2 as threads');
    const r = p.tsql(['compile', '--full-refresh', '--threads', '5']);
    expect(r.code, r.stderr).toBe(0);
    expect(compiled('a')).toContain('select True as fr, 5 as threads');
    expect(compiled('b')).toContain('select False as fr');
  });

  it('exceptions.raise_not_implemented stops the compile with its message, at the file and line (exit 2)', () => {
    const p = project({
      'models/a.sql': "select 1 as x\n-- {{ exceptions.raise_not_implemented('pivot is not available on ' ~ target.type) }}\n",
    });
    expectUserError(p, /^error: models\/a\.sql:2: not implemented: pivot is not available on duckdb$/);
  });

  it("try_or_compiler_error: the function's failure is the message, at the model's file and line (exit 2)", () => {
    const p = project({
      'models/a.sql': "select 1 as x\n-- {{ try_or_compiler_error('run_date must be a date, got nope', modules.datetime.datetime.fromisoformat, 'nope') }}\n",
    });
    expectUserError(p, /^error: models\/a\.sql:2: run_date must be a date, got nope$/);
  });
});
