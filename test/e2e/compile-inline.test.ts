import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';
import { expectUserError } from '../helpers/assert.js';

const project = useProjects();

const FILES: Record<string, string> = {
  'models/orders.sql': `select 1 as id`,
  'models/eph.sql': `{{ config(materialized='ephemeral') }} select id * 10 as tens from {{ ref('orders') }}`,
  'macros/cents.sql': `{% macro cents(col) %}({{ col }} * 100){% endmacro %}`,
};

describe('tsql compile --inline', () => {
  it("prints the SQL compiled in the project's context (refs, ephemeral CTEs, macros) and writes nothing for it", () => {
    const p = project(FILES);
    const r = p.tsql(['compile', '--inline', "select {{ cents('tens') }} as c from {{ ref('eph') }} join {{ ref('orders') }} using (id)"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const sql = r.stdout.trim();
    expect(sql).toMatch(/^with __tsql__cte__eph as \(/);
    expect(sql).toContain('select id * 10 as tens from "warehouse"."main"."orders"');
    expect(sql).toMatch(/select \(tens \* 100\) as c from __tsql__cte__eph join "warehouse"."main"."orders" using \(id\)$/);
    // nothing in target/ for it (nor a manifest holding it), and nothing built
    expect(existsSync(join(p.dir, 'target', 'compiled'))).toBe(false);
    expect(existsSync(join(p.dir, 'target', 'manifest.json'))).toBe(false);
  });

  it('a mistake in the inline SQL is one line, exit 2; --inline goes without a selection', () => {
    const p = project(FILES);
    expectUserError(p, /^error: <inline>:1: ref\('ordrs'\) does not match any model or seed \(did you mean 'orders'\?\)$/, ['compile', '--inline', "select * from {{ ref('ordrs') }}"]);
    expectUserError(p, /^error: <inline>:1: template syntax error/, ['compile', '--inline', 'select {{ oops( }}']);
    expectUserError(p, /^error: tsql compile takes --select or --inline, not both$/, ['compile', '--inline', 'select 1', '--select', 'orders']);
    expectUserError(p, /^error: --inline takes a select statement/, ['compile', '--inline', ' ']);
  });
});
