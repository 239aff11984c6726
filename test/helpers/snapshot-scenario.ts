/**
 * One source table changed across runs, snapshotted with each strategy and
 * hard_deletes mode, and the exact history each snapshot must hold after it:
 * shared by the snapshot tests of every engine (DuckDB, PostgreSQL and the
 * Redshift and Snowflake stand-ins).
 *
 * The source is a seed, rewritten between runs:
 *   run 1: orders 1, 2, 3 (open, 2024-01-01 10:00)
 *   run 2: 2 paid (updated_at 2024-01-02 10:00), 3 deleted, 4 new
 *   run 3: 3 back (status 'back', updated_at 2024-01-03 10:00)
 *   run 4: nothing changed
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';

export interface SnapshotEngine {
  tsql(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** the relation name of a node in this engine's schema, as SQL */
  rel(name: string): string;
  write(files: Record<string, string>): void;
}

const D1 = '2024-01-01 10:00:00';
const D2 = '2024-01-02 10:00:00';
const D3 = '2024-01-03 10:00:00';
const D4 = '2024-01-02 11:00:00';
const SOURCE_TIMES = new Set([D1, D2, D3, D4]);

const csv = (rows: string[]) => `id,region,status,amount,updated_at\n${rows.join('\n')}\n`;
export const SOURCE_RUNS = [
  csv([`1,eu,open,10,${D1}`, `2,eu,open,20,${D1}`, `3,eu,open,30,${D1}`]),
  csv([`1,eu,open,10,${D1}`, `2,eu,paid,20,${D2}`, `4,eu,open,40,${D4}`]),
  csv([`1,eu,open,10,${D1}`, `2,eu,paid,20,${D2}`, `3,eu,back,30,${D3}`, `4,eu,open,40,${D4}`]),
];

/** Five snapshots of the seed: both strategies, every hard_deletes mode, a block file with two blocks, a YAML-defined one. */
export const SNAPSHOT_FILES: Record<string, string> = {
  'seeds/raw_orders.csv': SOURCE_RUNS[0],
  'snapshots/timestamp.sql': `-- timestamp strategy
{% snapshot ts_ignore %}
{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at') }}
select id, status, updated_at from {{ ref('raw_orders') }}
{% endsnapshot %}

{% snapshot ts_invalidate %}
{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at', invalidate_hard_deletes=true) }}
select id, status, updated_at from {{ ref('raw_orders') }}
{% endsnapshot %}
`,
  'snapshots/new_record.sql': `{% snapshot ts_new_record %}
{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at', hard_deletes='new_record') }}
select id, status, updated_at from {{ ref('raw_orders') }}
{% endsnapshot %}
`,
  'snapshots/check.sql': `{% snapshot check_all %}
{{ config(unique_key=['id', 'region'], strategy='check', check_cols='all', hard_deletes='invalidate') }}
select id, region, status from {{ ref('raw_orders') }}
{% endsnapshot %}
`,
  'snapshots/history.yml': `version: 2
snapshots:
  - name: check_new_record
    relation: ref('raw_orders')
    config:
      unique_key: id
      strategy: check
      check_cols: [status]
      hard_deletes: new_record
  - name: ts_new_record
    columns:
      - name: dbt_scd_id
        data_tests: [unique, not_null]
`,
  'models/current_orders.sql': `select id, status from {{ ref('ts_new_record') }} where dbt_valid_to is null and dbt_is_deleted = 'False'`,
};

type Row = { id: number; status: string; from: string; to: string | null; deleted?: string };

/** The history each snapshot holds after run 3 (and run 4); N1, N2, N3: the times of the runs that saw the change, in order. */
export const EXPECTED: Record<string, Row[]> = {
  ts_ignore: [
    { id: 1, status: 'open', from: D1, to: null },
    { id: 2, status: 'open', from: D1, to: D2 },
    { id: 2, status: 'paid', from: D2, to: null },
    { id: 3, status: 'open', from: D1, to: D3 },
    { id: 3, status: 'back', from: D3, to: null },
    { id: 4, status: 'open', from: D4, to: null },
  ],
  ts_invalidate: [
    { id: 1, status: 'open', from: D1, to: null },
    { id: 2, status: 'open', from: D1, to: D2 },
    { id: 2, status: 'paid', from: D2, to: null },
    { id: 3, status: 'open', from: D1, to: 'N1' },
    { id: 3, status: 'back', from: D3, to: null },
    { id: 4, status: 'open', from: D4, to: null },
  ],
  // as in dbt: the deletion row is closed at the returning row's updated_at
  ts_new_record: [
    { id: 1, status: 'open', from: D1, to: null, deleted: 'False' },
    { id: 2, status: 'open', from: D1, to: D2, deleted: 'False' },
    { id: 2, status: 'paid', from: D2, to: null, deleted: 'False' },
    { id: 3, status: 'open', from: D1, to: 'N1', deleted: 'False' },
    { id: 3, status: 'back', from: D3, to: null, deleted: 'False' },
    { id: 3, status: 'open', from: 'N1', to: D3, deleted: 'True' },
    { id: 4, status: 'open', from: D4, to: null, deleted: 'False' },
  ],
  check_all: [
    { id: 1, status: 'open', from: 'N1', to: null },
    { id: 2, status: 'open', from: 'N1', to: 'N2' },
    { id: 2, status: 'paid', from: 'N2', to: null },
    { id: 3, status: 'open', from: 'N1', to: 'N2' },
    { id: 3, status: 'back', from: 'N3', to: null },
    { id: 4, status: 'open', from: 'N2', to: null },
  ],
  check_new_record: [
    { id: 1, status: 'open', from: 'N1', to: null, deleted: 'False' },
    { id: 2, status: 'open', from: 'N1', to: 'N2', deleted: 'False' },
    { id: 2, status: 'paid', from: 'N2', to: null, deleted: 'False' },
    { id: 3, status: 'open', from: 'N1', to: 'N2', deleted: 'False' },
    { id: 3, status: 'open', from: 'N2', to: 'N3', deleted: 'True' },
    { id: 3, status: 'back', from: 'N3', to: null, deleted: 'False' },
    { id: 4, status: 'open', from: 'N2', to: null, deleted: 'False' },
  ],
};

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/**
 * A snapshot's rows, with the times the runs stamped named N1, N2 … in order,
 * after checking each row's dbt_scd_id as dbt computes it: md5 of the key and
 * the version's time, or, for a deletion row, of the closed row's id and the time.
 */
export async function history(e: SnapshotEngine, name: string): Promise<Row[]> {
  const withDeleted = name.includes('new_record');
  const keyOf = name === 'check_all' ? (r: Record<string, unknown>) => `${r.id}|eu` : (r: Record<string, unknown>) => `${r.id}`;
  const raw = await e.rows(
    `select id, status, cast(dbt_valid_from as varchar) as valid_from, cast(dbt_valid_to as varchar) as valid_to, dbt_scd_id as scd_id${withDeleted ? ', dbt_is_deleted as is_deleted' : ''} from ${e.rel(name)} order by id, dbt_valid_from`,
  );
  const times = [...new Set(raw.flatMap((r) => [r.valid_from, r.valid_to]).filter((t): t is string => typeof t === 'string' && !SOURCE_TIMES.has(t)))].sort();
  const label = (t: unknown) => (t === null ? null : SOURCE_TIMES.has(String(t)) ? String(t) : `N${times.indexOf(String(t)) + 1}`);
  for (const r of raw) {
    if (r.is_deleted === 'True') {
      const closed = raw.find((x) => x.id === r.id && x.valid_to === r.valid_from && x.is_deleted !== 'True');
      expect(closed, `${name}: the row a deletion row follows`).toBeDefined();
      expect(r.scd_id, `${name}: scd id of the deletion row of ${r.id}`).toBe(md5(`${closed!.scd_id}|${r.valid_from}`));
    } else expect(r.scd_id, `${name}: scd id of ${r.id} from ${r.valid_from}`).toBe(md5(`${keyOf(r)}|${r.valid_from}`));
  }
  return raw.map((r) => ({ id: Number(r.id), status: String(r.status), from: label(r.valid_from)!, to: label(r.valid_to), ...(withDeleted ? { deleted: String(r.is_deleted) } : {}) }));
}

/** Every row of a snapshot as text (for "nothing changed"). */
export async function dump(e: SnapshotEngine, name: string): Promise<string> {
  const rows = await e.rows(`select * from ${e.rel(name)} order by dbt_scd_id`);
  return JSON.stringify(rows);
}

export function ok(r: { code: number; stdout: string; stderr: string }): void {
  expect(r.code, r.stdout + r.stderr).toBe(0);
}

/** Runs 1 to 4 with `command` (build, or seed then snapshot), checking every snapshot's history at the end and that run 4 changed nothing. */
export async function runScenario(e: SnapshotEngine, command: 'build' | 'snapshot', names: string[] = Object.keys(EXPECTED)): Promise<void> {
  const run = async () => {
    if (command === 'snapshot') ok(await e.tsql(['seed']));
    ok(await e.tsql([command]));
  };
  for (const source of SOURCE_RUNS) {
    e.write({ 'seeds/raw_orders.csv': source });
    await run();
  }
  const before = await Promise.all(names.map((n) => dump(e, n)));
  await run();
  expect(await Promise.all(names.map((n) => dump(e, n)))).toEqual(before);
  for (const n of names) expect(await history(e, n), n).toEqual(EXPECTED[n]);
}
