/**
 * A warehouse error in a model is told at the line of the model file, with that line and a
 * caret under it: golden files per engine (UPDATE_GOLDEN=1 rewrites them). The same project
 * runs on DuckDB, on the real PostgreSQL test server and on the Snowflake stand-in: Jinja
 * above the error, a macro that expands to several lines, ephemeral models inlined as CTEs,
 * an incremental model's second run, and an error with no position (left as the engine says it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, TempProject, type CliResult } from '../helpers/project.js';
import { pgConnection, pgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';
import { createDuckDBEngine } from '../snowflake-standin/engine.js';
import { startSnowflakeStandin, type SnowflakeStandin } from '../snowflake-standin/server.js';
import type { Engine } from '../snowflake-standin/engine-types.js';

const GOLDEN = join(__dirname, '..', 'golden', 'errors');

const FILES: Record<string, string> = {
  'macros/columns.sql': [
    '{% macro measures(prefix) %}',
    '  1 as {{ prefix }}_count,',
    '  no_such_function(2) as {{ prefix }}_total',
    '{% endmacro %}',
    '',
  ].join('\n'),
  // Jinja above the error line: a set, a loop and whitespace control
  'models/syntax_error.sql': [
    "{{ config(materialized='table') }}",
    "{% set columns = ['a', 'b'] %}",
    'select',
    '  {% for c in columns -%}',
    '  1 as {{ c }},',
    '  {%- endfor %}',
    '  3 as c',
    'from (select 1 as x) t t2',
    '',
  ].join('\n'),
  'models/unknown_column.sql': [
    "{{ config(materialized='table') }}",
    "{% if var('with_filter', false) %}",
    'select 1 as never',
    '{% else %}',
    'select',
    '  x as id,',
    '  amout as amount',
    'from (select 1 as x, 2 as amount) t',
    '{% endif %}',
    '',
  ].join('\n'),
  'models/type_error.sql': ['-- a function on the wrong type', 'select', '  id,', '  lower(id) as name', "from {{ ref('base') }}", ''].join('\n'),
  'models/base.sql': 'select 1 as id\n',
  // a macro expanding to several lines: the line of its call
  'models/macro_call.sql': ['select', "  {{ measures('order') }},", '  3 as other', 'from (select 1 as x) t', ''].join('\n'),
  // an error inside an ephemeral model, inlined as a CTE in the model that reads it
  'models/ephemeral_broken.sql': ["{{ config(materialized='ephemeral') }}", 'select', '  1 as id,', '  nope as oops', 'from (select 1 as x) t', ''].join('\n'),
  'models/reads_broken_ephemeral.sql': ['-- reads an ephemeral model', "select * from {{ ref('ephemeral_broken') }}", ''].join('\n'),
  // the model's own error below the CTEs put in front of it
  'models/ephemeral_ok.sql': ["{{ config(materialized='ephemeral') }}", 'select 2 as id', ''].join('\n'),
  'models/below_ctes.sql': ['with a as (select 1 as id)', 'select', '  a.id,', '  e.id as other,', '  missing_column', "from a, {{ ref('ephemeral_ok') }} e", ''].join('\n'),
  // the incremental branch only renders once the table exists
  'models/incremental.sql': [
    "{{ config(materialized='incremental', unique_key='id') }}",
    'select 1 as id, 2 as v',
    'from (select 1 as x) t',
    '{% if is_incremental() %}',
    'where 2 > (select max(vv) from {{ this }})',
    '{% endif %}',
    '',
  ].join('\n'),
  // an error the engine gives no position for keeps its message as it is
  'models/no_position.sql': [
    "{{ config(materialized='table') }}",
    "{% if target.type == 'postgres' %}",
    'select 1 / 0 as x',
    '{% else %}',
    'select x from (select 1 as x) t group by 2',
    '{% endif %}',
    '',
  ].join('\n'),
};

/** The failures the run printed, without timestamps, in the order printed. */
function failures(r: CliResult): string {
  const lines = r.stdout.split('\n').map((l) => l.replace(/^\d\d:\d\d:\d\d {2}/, ''));
  const start = lines.findIndex((l) => /^Completed with \d+ errors?:/.test(l));
  const end = lines.findIndex((l) => l.startsWith('Done. '));
  expect(start, r.stdout + r.stderr).toBeGreaterThanOrEqual(0);
  return lines.slice(start, end).join('\n').trim() + '\n';
}

function golden(name: string, text: string): void {
  const file = join(GOLDEN, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

/** Builds everything, then runs the incremental model again (its is_incremental() branch is broken). */
async function errorsOn(p: TempProject, env: Record<string, string>): Promise<string> {
  const first = await runCliAsync(['run'], p.dir, env);
  expect(first.code, first.stderr).toBe(1);
  const second = await runCliAsync(['run', '--select', 'incremental'], p.dir, env);
  expect(second.code, second.stderr).toBe(1);
  return `${failures(first)}\n-- second run of the incremental model\n${failures(second)}`;
}

const made: TempProject[] = [];
afterEach(() => {
  while (made.length) made.pop()!.cleanup();
});

function project(profile?: string): TempProject {
  const p = new TempProject(FILES, profile ? { profile } : {});
  made.push(p);
  return p;
}

describe('warehouse errors at the line of the model', () => {
  it('on DuckDB', async () => {
    const p = project();
    const text = await errorsOn(p, {});
    golden('duckdb', text);
    // the compiled SQL is where the positions came from, and it is unchanged
    expect(readFileSync(join(p.dir, 'target/compiled/shop/models/unknown_column.sql'), 'utf8')).toMatch(/^select\n {2}x as id,\n {2}amout as amount\n/);
  });

  it('on PostgreSQL', async () => {
    const schema = uniqueSchema('lines');
    const c = pgConnection();
    const p = project(pgProfile(schema, 'TSQL_TEST_PG_PASSWORD'));
    try {
      golden('postgres', await errorsOn(p, { TSQL_TEST_PG_PASSWORD: c.password }));
    } finally {
      await pgQuery(`drop schema if exists "${schema}" cascade`);
    }
  });

  describe('on the Snowflake stand-in', () => {
    let root = '';
    let engine: Engine;
    let standin: SnowflakeStandin;
    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'tsql-sf-lines-'));
      engine = await createDuckDBEngine({ directory: join(root, 'engine'), stages: {} });
      standin = await startSnowflakeStandin({ engine, users: { tsql: 'sf-pw' } });
    });
    afterAll(async () => {
      await standin?.close();
      await engine?.close();
      rmSync(root, { recursive: true, force: true });
    });

    it('reads "line n at position m"', async () => {
      const url = new URL(standin.accessUrl);
      const schema = uniqueSchema('lines');
      const p = project(
        `shop:\n  target: dev\n  outputs:\n    dev:\n      type: snowflake\n      account: tsqltest\n      user: tsql\n      password: "{{ env_var('TSQL_TEST_SF_PASSWORD') }}"\n      role: transformer\n      warehouse: test_wh\n      database: tsql_test\n      schema: ${schema}\n      threads: 2\n      host: ${url.hostname}\n      port: ${url.port}\n      protocol: http\n`,
      );
      golden('snowflake', await errorsOn(p, { TSQL_TEST_SF_PASSWORD: 'sf-pw' }));
    });
  });
});
