/**
 * --log-format json: every line tsql prints is one JSON event of the schema
 * the README documents (its table under "Console output"), read from the
 * README itself so the two cannot drift apart; the errors that stop a command
 * are events too (on stdout, nothing on stderr).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';

const project = useProjects();

interface Field {
  name: string;
  optional: boolean;
  /** 'string' | 'number' | 'object' | 'array', or the allowed string values */
  type: string | string[];
}

/** The README's event table: type → its fields. */
function documentedSchema(): Map<string, Field[]> {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Console output'));
  const table = section.slice(section.indexOf('| type | fields |'), section.indexOf('\n\n', section.indexOf('| type | fields |')));
  const schema = new Map<string, Field[]>();
  for (const row of table.split('\n').slice(2)) {
    const m = /^\| `(\w+)` \| (.*) \|$/.exec(row);
    if (!m) throw new Error(`README event table: cannot read row ${row}`);
    const fields = m[2]!.split('; ').map((f): Field => {
      const fm = /^`(\w+)(\??)`: (.*)$/.exec(f);
      if (!fm) throw new Error(`README event table: cannot read field ${f}`);
      const literals = [...fm[3]!.matchAll(/`"([^"]+)"`/g)].map((x) => x[1]!);
      return { name: fm[1]!, optional: fm[2] === '?', type: literals.length ? literals : fm[3]!.trim() };
    });
    schema.set(m[1]!, fields);
  }
  return schema;
}

const schema = documentedSchema();

/** Every line of stdout parsed and checked against the documented schema; returns the events. */
function events(stdout: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of stdout.split('\n').filter((l) => l.trim())) {
    const e = JSON.parse(line) as Record<string, unknown>;
    expect(typeof e.ts, line).toBe('string');
    expect(Number.isNaN(Date.parse(e.ts as string)), line).toBe(false);
    const fields = schema.get(e.type as string);
    expect(fields, `undocumented event type in ${line}`).toBeDefined();
    const known = new Set(['ts', 'type', ...fields!.map((f) => f.name)]);
    for (const k of Object.keys(e)) expect(known.has(k), `undocumented field ${k} in ${line}`).toBe(true);
    for (const f of fields!) {
      const v = e[f.name];
      if (v === undefined) {
        expect(f.optional, `missing ${f.name} in ${line}`).toBe(true);
        continue;
      }
      if (Array.isArray(f.type)) expect(f.type, `${f.name} in ${line}`).toContain(v);
      else if (f.type === 'array') expect(Array.isArray(v), `${f.name} in ${line}`).toBe(true);
      else expect(typeof v, `${f.name} in ${line}`).toBe(f.type);
    }
    out.push(e);
  }
  return out;
}

describe('--log-format json', () => {
  it('the README documents a field list for every event type', () => {
    expect([...schema.keys()].sort()).toEqual(['batch_end', 'done', 'error', 'hook', 'log', 'node_end', 'node_start', 'summary']);
  });

  it('a build with hooks, a seed, models, a passing, a warning and a failing test: every line an event of the schema', () => {
    const p = project({
      'tsql_project.yml': 'name: shop\nprofile: shop\non-run-start:\n  - "select 1"\non-run-end:\n  - "select 2"\n',
      'seeds/raw.csv': 'id,amount\n1,10\n2,\n',
      'models/orders.sql': "{{ config(materialized='table') }}\nselect * from {{ ref('raw') }}\n",
      'models/broken.sql': 'select nope from {{ ref(\'orders\') }}\n',
      'models/after_broken.sql': "select * from {{ ref('broken') }}\n",
      'models/schema.yml': `models:
  - name: orders
    columns:
      - name: id
        data_tests: [unique]
      - name: amount
        data_tests:
          - not_null:
              config: {severity: warn}
`,
    });
    const r = p.tsql(['build', '--log-format', 'json']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toBe('');
    const ev = events(r.stdout);
    const types = new Set(ev.map((e) => e.type));
    for (const t of ['log', 'hook', 'node_start', 'node_end', 'summary', 'done']) expect(types, t).toContain(t);
    const ends = new Map(ev.filter((e) => e.type === 'node_end').map((e) => [e.uniqueId, e]));
    expect(ends.get('seed.shop.raw')).toMatchObject({ status: 'success', message: 'INSERT 2' });
    expect(ends.get('model.shop.broken')).toMatchObject({ status: 'error' });
    expect(ends.get('model.shop.after_broken')).toMatchObject({ status: 'skipped' });
    expect([...ends.values()].find((e) => String(e.uniqueId).startsWith('test.shop.not_null'))).toMatchObject({ status: 'warn', failures: 1 });
    expect(ev.filter((e) => e.type === 'hook').map((e) => e.which)).toEqual(['on-run-start', 'on-run-end']);
    expect(ev.at(-1)).toMatchObject({ type: 'done', error: 1, warn: 1, skip: 1 });
    expect(ev.at(-1)!.warnings).toEqual([{ label: 'test not_null_orders_amount', file: 'models/schema.yml', message: 'Got 1 result, configured to warn if != 0' }]);
    expect(ev.at(-1)!.failures).toEqual([expect.objectContaining({ label: 'model broken', file: 'models/broken.sql' })]);
    expect(ev.find((e) => e.type === 'summary')!.counts).toMatchObject({ seed: 1, table: 1, view: 2 });
  });

  it('mistakes in the project are error events with their file and line, exit 2, nothing on stderr', () => {
    const p = project({
      'models/a.sql': "select * from {{ ref('ordrs') }}\n",
      'models/orders.sql': 'select 1 as id\n',
      'models/b.sql': "{{ config(materialized='tabel') }}\nselect 1 as id\n",
    });
    const r = p.tsql(['run', '--log-format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    const errors = events(r.stdout).filter((e) => e.type === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(2);
    for (const e of errors) expect(e).toMatchObject({ kind: 'project', code: 2 });
    expect(errors).toContainEqual(expect.objectContaining({ file: 'models/a.sql', line: 1, hint: expect.stringContaining('orders') }));
    expect(errors).toContainEqual(expect.objectContaining({ file: 'models/b.sql', line: 1 }));
  });

  it('an unknown option is a usage error event', () => {
    const p = project({ 'models/a.sql': 'select 1 as id\n' });
    const r = p.tsql(['run', '--log-format', 'json', '--selct', 'a']);
    expect(r.code).toBe(2);
    const [e] = events(r.stdout).filter((x) => x.type === 'error');
    expect(e).toMatchObject({ kind: 'usage', code: 2, message: "unknown option '--selct'", hint: 'did you mean --select?' });
    expect(events(r.stdout).filter((x) => x.type === 'error')).toHaveLength(1);
    expect(r.stderr).toBe('');
  });
});
