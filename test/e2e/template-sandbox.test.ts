import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyExample, REPO_ROOT, runCli, useProjects } from '../helpers/project.js';
import { rmSync } from 'node:fs';

const project = useProjects();

/** JavaScript that writes a marker file and returns the environment: what an escape would run. */
const payload = (marker: string) => `"process.getBuiltinModule('fs').writeFileSync('${marker}', 'pwned'); return process.env"`;

/** Known ways out of a nunjucks template, one model each. `JS` stands for the payload. */
const ESCAPES: Record<string, string> = {
  string_constructor: "{{ ''.constructor.constructor(JS)() }}",
  range_constructor: '{{ range.constructor(JS)() }}',
  cycler_proto: '{{ cycler.__proto__.constructor(JS)() }}',
  set_joiner_constructor: '{% set x = joiner.constructor %}{{ x(JS)() }}',
  array_map_constructor: '{{ [].map.constructor(JS)() }}',
  caller_constructor: '{% macro m() %}{{ caller.constructor(JS)() }}{% endmacro %}{% call m() %}x{% endcall %}',
  ref_proto: '{{ ref.__proto__.constructor(JS)() }}',
  prototype_lookup: '{{ ref.prototype.constructor(JS)() }}',
  dynamic_key: "{{ ''['constr' ~ 'uctor']['constr' ~ 'uctor'](JS)() }}",
  to_string_call: '{{ toString.call(ref) }}',
  value_of_context: '{{ valueOf().env.globals }}',
  config_get_constructor: '{{ config.get.constructor(JS)() }}',
  filter_returns_function: '{{ ([ref] | first).constructor(JS)() }}',
  map_attribute: "{{ ([ref] | map(attribute='constructor') | first)(JS)() }}",
  format_attribute: "{{ '{0.constructor}'.format(ref) }}",
  lookup_getter: "{{ {}.__lookupGetter__('__proto__').call(ref) }}",
  define_getter: "{% set ns = namespace() %}{{ ns.__defineGetter__('x', ref) }}",
  namespace_proto: '{% set ns = namespace() %}{% set ns.__proto__ = ref %}',
  dict_proto_key: "{% set d = dict([['__proto__', ref]]) %}{{ d.call }}",
  relation_method: "{{ this.render.constructor(JS)() }}",
  function_apply: '{{ adapter.dispatch.apply(none, [JS]) }}',
  datetime_method_call: '{{ run_started_at.strftime.call.constructor(JS)() }}',
  target_proto: "{{ target['__proto__'] }}",
  string_js_method: "{{ 'x'.concat.constructor(JS)() }}",
  filter_by_name: "{{ [JS] | map('constructor') | list }}",
  test_by_name: "{{ [JS] | select('constructor') | list }}",
  sort_attribute: "{{ [range] | sort(attribute='prototype') | list }}",
  process_global: '{{ process.env.TSQL_TEST_PASSWORD }}',
  require_global: "{{ require('fs').writeFileSync(JS) }}",
  global_this: '{{ globalThis.process.env }}',
};

describe('templates cannot run JavaScript', () => {
  it('the payload is real: plain nunjucks runs it and writes the marker', () => {
    const p = project({});
    const marker = join(p.dir, 'control-marker');
    const script = `const n = require('nunjucks'); n.renderString(${JSON.stringify(`{{ ''.constructor.constructor(${payload(marker)})() }}`)}, {});`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });

  it(`${Object.keys(ESCAPES).length} known escapes are user errors naming the model and line, and none runs code`, () => {
    const p = project({});
    const marker = join(p.dir, 'marker');
    const files: Record<string, string> = {};
    for (const [name, body] of Object.entries(ESCAPES)) files[`models/${name}.sql`] = `select 1 as id\n-- ${name}\n, ${body.replaceAll('JS', payload(marker))} as x\n`;
    p.write(files);
    for (const cmd of [['compile'], ['ls'], ['debug'], ['build']]) {
      const r = p.tsql(cmd, { TSQL_TEST_PASSWORD: 'hunter2-secret' });
      expect(existsSync(marker), `${cmd[0]} wrote the marker`).toBe(false);
      expect(r.stdout + r.stderr).not.toMatch(/hunter2-secret|pwned/);
      if (cmd[0] === 'debug') continue; // debug checks the profile and connection, not models
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
      for (const name of Object.keys(ESCAPES)) {
        expect(r.stderr, name).toMatch(new RegExp(`error: models/${name}\\.sql:3: .*(is not available in templates|is not a macro or function|(filter|test) not found: constructor|is undefined)`));
      }
    }
  });

  it('documented context still works: relations, config.get, dict and str methods, loops, macros with caller', () => {
    const p = project({
      'macros/m.sql': '{% macro wrap() %}({{ caller() }}){% endmacro %}',
      'models/a.sql': 'select 1 as id',
      'models/b.sql': [
        "{{ config(materialized='table', tags=['x']) }}",
        "select '{{ ref('a').identifier }}' as i, '{{ this.name }}' as n, '{{ config.get('materialized') }}' as m,",
        "'{{ {'k': 1}.items() | list }}' as d, '{{ 'a,b'.split(',') | join('-') }}' as s, '{{ run_started_at.strftime('%Y') | length }}' as y,",
        "'{% call wrap() %}in{% endcall %}' as c, '{% for c in ['p', 'q'] %}{{ loop.index }}{{ c }}{% endfor %}' as l, '{{ target.name }}' as t",
      ].join('\n'),
    });
    const r = p.tsql(['compile', '--select', 'b']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/select 'a' as i, 'b' as n, 'table' as m/);
    expect(r.stdout).toMatch(/'\[\('k', 1\)\]' as d, 'a-b' as s, '4' as y/);
    expect(r.stdout).toMatch(/'\(in\)' as c, '1p2q' as l, 'dev' as t/);
  });

  it('the example project still compiles and builds under the sandbox', () => {
    const dir = copyExample('tsql-sandbox-');
    try {
      for (const cmd of ['compile', 'build']) {
        const r = runCli([cmd], dir);
        expect(r.code, r.stdout + r.stderr).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
