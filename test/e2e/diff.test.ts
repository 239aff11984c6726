import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useProjects, type CliResult, type TempProject } from '../helpers/project.js';
import { ok, prodAndCiDuckProfile, prodAndPr as sharedProdAndPr } from '../helpers/state.js';
import { pgConnection, pgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';

/**
 * `tsql diff`: production is built and its target/ saved as the state; the
 * pull request changes models so that exactly known rows are added, removed
 * and changed, and columns added, removed and retyped; it is built with
 * `state:modified+ --defer`, then compared with production in the warehouse.
 */

const project = useProjects();

const SEED = `id,status,amount
1,open,10.00
2,open,20.00
3,shipped,30.00
4,,40.00
5,open,50.00
6,shipped,60.00
7,open,70.00
8,open,80.00
9,open,90.00
`;

const SCHEMA_YML = `version: 2
models:
  - name: orders
    columns:
      - name: id
        constraints:
          - type: primary_key
  - name: dupes
    constraints:
      - type: primary_key
        columns: [k]
`;

const PROD_FILES: Record<string, string> = {
  'tsql_project.yml': `name: shop
profile: shop
models:
  shop:
    +materialized: table
`,
  'seeds/raw_orders.csv': SEED,
  'models/schema.yml': SCHEMA_YML,
  'models/orders.sql': `select id, status, cast(amount as decimal(10,2)) as amount, id * 10 as legacy, cast(amount as decimal(10,2)) as total
from {{ ref('raw_orders') }} where id <= 6
`,
  'models/dupes.sql': `select * from (values (1, 'a'), (1, 'b'), (2, 'c'), (3, 'd')) t(k, v)
`,
  'models/items.sql': `{{ config(unique_key='item_id') }}
select * from (values (1, 10), (2, 20)) t(item_id, qty)
`,
  'models/order_notes.sql': `select id from {{ ref('raw_orders') }}
`,
  'models/payments.sql': `{{ config(unique_key='payment_id') }}
select id as payment_id, amount from {{ ref('raw_orders') }}
`,
};

/**
 * orders: id 1 removed; 7, 8, 9 added; id 2 status and amount changed, id 3
 * amount, id 5 status to NULL (id 4's NULL status is unchanged); legacy
 * removed, note added, total retyped. dupes: key 1 twice in production, key 2
 * twice here, a NULL key here, key 3 changed, key 4 added. items: one value.
 * order_notes (no key): 9 rows to 7 and a column added. new_model: new.
 */
const PR_CHANGES: Record<string, string> = {
  'models/orders.sql': `select id,
  case when id = 2 then 'returned' when id = 5 then null else status end as status,
  cast(case when id in (2, 3) then amount + 1 else amount end as decimal(10,2)) as amount,
  cast(amount as double precision) as total,
  concat('n', id) as note
from {{ ref('raw_orders') }} where id >= 2
`,
  'models/dupes.sql': `select * from (values (1, 'a'), (2, 'c'), (2, 'x'), (3, 'e'), (4, 'f'), (null, 'z')) t(k, v)
`,
  'models/items.sql': `{{ config(unique_key='item_id') }}
select * from (values (1, 10), (2, 21)) t(item_id, qty)
`,
  'models/order_notes.sql': `select id, id * 2 as twice from {{ ref('raw_orders') }} where id > 2
`,
  'models/new_model.sql': `select 1 as x
`,
};



function prodAndPr(profileOf: (prod: TempProject) => string, env: Record<string, string> = {}) {
  return sharedProdAndPr(project, { prod: PROD_FILES, pr: PR_CHANGES }, profileOf, { prod: env, ci: env });
}

type DiffRow = Record<string, unknown> & { name: string };

function jsonLines(r: CliResult): DiffRow[] {
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as DiffRow);
}

/** The figures the planted changes must produce (types as DuckDB names them). */
function expectPlanted(rows: DiffRow[], types: { decimal: string; double: string; integer: RegExp; text: RegExp }) {
  expect(rows.map((r) => r.name)).toEqual(['dupes', 'items', 'new_model', 'order_notes', 'orders']);
  const by = Object.fromEntries(rows.map((r) => [r.name, r]));

  const orders = by.orders;
  expect(orders).toMatchObject({
    status: 'compared',
    different: true,
    key: ['id'],
    key_from: 'primary_key',
    rows: { prod: 6, pr: 8 },
    rows_added: 3,
    rows_removed: 1,
    rows_changed: 3,
    changed_by_column: { status: 2, amount: 2 },
    duplicate_keys: { prod: 0, pr: 0 },
    null_key_rows: { prod: 0, pr: 0 },
  });
  const cols = orders.columns as { added: Array<{ name: string; type: string }>; removed: Array<{ name: string; type: string }>; type_changed: unknown[] };
  expect(cols.added.map((c) => c.name)).toEqual(['note']);
  expect(cols.added[0].type).toMatch(types.text);
  expect(cols.removed.map((c) => c.name)).toEqual(['legacy']);
  expect(cols.removed[0].type).toMatch(types.integer);
  expect(cols.type_changed).toEqual([{ name: 'total', prod_type: types.decimal, pr_type: types.double }]);
  expect(orders.note).toContain('values not compared for total (type changed)');

  expect(by.dupes).toMatchObject({
    status: 'compared',
    key: ['k'],
    key_from: 'primary_key',
    rows: { prod: 4, pr: 6 },
    rows_added: 1,
    rows_removed: 0,
    rows_changed: 1,
    changed_by_column: { v: 1 },
    duplicate_keys: { prod: 1, pr: 1 },
    duplicate_key_rows: { prod: 2, pr: 2 },
    null_key_rows: { prod: 0, pr: 1 },
  });
  expect(by.items).toMatchObject({ key: ['item_id'], key_from: 'unique_key', rows: { prod: 2, pr: 2 }, rows_added: 0, rows_removed: 0, rows_changed: 1, changed_by_column: { qty: 1 } });
  expect(by.order_notes).toMatchObject({ status: 'compared', different: true, key: null, rows: { prod: 9, pr: 7 }, rows_added: null, rows_removed: null, rows_changed: null, changed_by_column: null });
  expect((by.order_notes.columns as { added: Array<{ name: string }> }).added.map((c) => c.name)).toEqual(['twice']);
  expect(by.order_notes.note).toContain('counts only');
  expect(by.new_model).toMatchObject({ status: 'new', different: true, rows: { prod: null, pr: 1 } });
}

describe('tsql diff on DuckDB (production attached to the PR database)', () => {
  it('reports the planted differences exactly, as JSON, text and markdown; differences exit 0, --fail-on-diff 1', () => {
    const { pr, ci } = prodAndPr((prod) => prodAndCiDuckProfile(join(prod.dir, 'prod.duckdb')));
    ok(ci(['build', '--select', 'state:modified+', '--defer', '--state', 'prod-artifacts']));

    const json = ok(ci(['diff', '--state', 'prod-artifacts', '--output', 'json']));
    expectPlanted(jsonLines(json), { decimal: 'DECIMAL(10,2)', double: 'DOUBLE', integer: /INT/, text: /VARCHAR/ });

    const text = ok(ci(['diff', '--state', 'prod-artifacts', '--summary-md', 'reports/diff.md']));
    expect(text.stdout).toContain('orders: +3 rows −1 row, 3 changed (status 2, amount 2), column added: note, column removed: legacy, type changed: total (DECIMAL(10,2) → DOUBLE)\n');
    expect(text.stdout).toContain('dupes: +1 row, 1 changed (v 1), duplicate keys: 1 in production, 1 here, NULL keys: 0 rows in production, 1 here\n');
    expect(text.stdout).toContain('items: 1 changed (qty 1)\n');
    expect(text.stdout).toContain('order_notes: 9 rows → 7, column added: twice\n');
    expect(text.stdout).toContain('new_model: new (not in the state manifest), 1 row\n');
    expect(text.stdout).toMatch(/ {4}amount +values differ +2 rows\n/);
    expect(text.stdout).toMatch(/ {4}legacy +removed +INTEGER\n/);
    expect(text.stdout).toMatch(/ {4}total +type changed +DECIMAL\(10,2\) → DOUBLE\n/);
    expect(text.stdout).toContain('    rows: 6 in production, 8 here; key id (primary_key)');
    expect(text.stdout).toContain('Data diff: 5 models compared, 5 differ');

    const md = readFileSync(join(pr.dir, 'reports/diff.md'), 'utf8');
    expect(md).toContain('## tsql diff: passed');
    expect(md).toContain('### Data diff');
    expect(md).toContain('5 models compared with production; 5 differ.');
    expect(md).toContain('| `orders` | 6 → 8 | 3 | 1 | 3 | +note, −legacy, total: DECIMAL(10,2) → DOUBLE | values not compared for total (type changed) |');
    expect(md).toContain('| `order_notes` | 9 → 7 |  |  |  | +twice | no unique_key or primary_key: rows not matched, counts only |');
    expect(md).toContain('| `new_model` | – → 1 |  |  |  |  | new; not in the state manifest |');
    expect(md).toContain('| `orders` | amount | 2 |');
    expect(md).toContain('duplicate keys: 1 in production, 1 here');

    const strict = ci(['diff', '--state', 'prod-artifacts', '--fail-on-diff']);
    expect(strict.code, strict.stderr).toBe(1);
    // no difference: --fail-on-diff passes; a model not built here is skipped with a note
    const same = ok(ci(['diff', '--state', 'prod-artifacts', '--select', 'raw_orders+', '--exclude', 'state:modified', '--fail-on-diff']));
    expect(same.stdout).toContain('payments: skipped, not built in this environment ("ci"."pr"."payments" does not exist)');
  });

  it('a model unchanged here has no differences; build --diff compares what it built, into its output and report', () => {
    const { pr, ci } = prodAndPr((prod) => prodAndCiDuckProfile(join(prod.dir, 'prod.duckdb')));
    const built = ok(ci(['build', '--select', 'state:modified+', 'payments', '--defer', '--state', 'prod-artifacts', '--diff', '--summary-md', 'reports/summary.md']));
    expect(built.stdout).toContain('payments: no differences\n');
    expect(built.stdout).toContain('orders: +3 rows −1 row, 3 changed (status 2, amount 2)');
    expect(built.stdout).toContain('Data diff: 6 models compared, 5 differ');
    const md = readFileSync(join(pr.dir, 'reports/summary.md'), 'utf8');
    expect(md).toContain('## tsql build: passed');
    expect(md).toContain('### Built');
    expect(md).toContain('| `payments` | 9 → 9 | 0 | 0 | 0 |  | no differences |');
    expect(md.indexOf('### Built')).toBeLessThan(md.indexOf('### Data diff'));

    const strict = ci(['build', '--select', 'orders', '--defer', '--state', 'prod-artifacts', '--diff', '--fail-on-diff']);
    expect(strict.code, strict.stdout).toBe(1);
    expect(strict.stdout).toContain('Completed successfully');
  });

  it('mistakes are one line, exit 2, nothing run', () => {
    const { pr, ci } = prodAndPr((prod) => prodAndCiDuckProfile(join(prod.dir, 'prod.duckdb')));
    const cases: Array<[string[], RegExp]> = [
      [['diff'], /^error: tsql diff compares with production: pass --state DIR/],
      [['diff', '--state', 'prod-artifacts', '--select', 'ordrs'], /^error: --select 'ordrs' matches no node \(did you mean 'orders'\?\)/],
      [['diff', '--state', 'prod-artifacts', '--output', 'xml'], /^error: --output must be text or json, got 'xml'/],
      [['diff', '--state', 'missing-dir'], /^error: --state missing-dir: no such folder/],
      [['build', '--diff'], /^error: --diff compares with production: pass --state DIR/],
      [['build', '--fail-on-diff', '--state', 'prod-artifacts'], /^error: --fail-on-diff goes with --diff/],
    ];
    for (const [args, message] of cases) {
      const r = ci(args);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('error:'))).toHaveLength(1);
    }
    // nothing was built by the build mistakes
    const r = ci(['diff', '--state', 'prod-artifacts', '--select', 'orders', '--output', 'json']);
    expect(jsonLines(ok(r))[0]).toMatchObject({ name: 'orders', status: 'skipped' });

    // the YAML loader checks constraints
    pr.write({ 'models/schema.yml': SCHEMA_YML.replace('columns: [k]', 'colums: [k]').replace('type: primary_key\n  - name: dupes', 'type: primary_kee\n  - name: dupes') });
    const bad = ci(['diff', '--state', 'prod-artifacts']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("models/schema.yml:7: unknown constraint type 'primary_kee'");
    expect(bad.stderr).toContain("unknown key 'colums' in a constraint of model 'dupes'");
  });
});

describe('tsql diff on PostgreSQL (prod and pr schemas in one database)', () => {
  const PASSWORD_ENV = 'TSQL_TEST_PG_PASSWORD';
  const schemas: string[] = [];
  afterEach(async () => {
    const drop = schemas.splice(0);
    if (drop.length) await pgQuery(drop.map((s) => `drop schema if exists "${s}" cascade`).join(';\n'));
  });

  it('reports the same planted differences', () => {
    const prodSchema = uniqueSchema('prod');
    const prSchema = uniqueSchema('pr');
    schemas.push(prodSchema, prSchema);
    const c = pgConnection();
    const profile = pgProfile(prodSchema, PASSWORD_ENV, { target: 'prod', moreOutputs: { ci: prSchema } });
    const { ci } = prodAndPr(() => profile, { [PASSWORD_ENV]: c.password });
    ok(ci(['build', '--select', 'state:modified+', '--defer', '--state', 'prod-artifacts']));
    const json = ok(ci(['diff', '--state', 'prod-artifacts', '--output', 'json']));
    expectPlanted(jsonLines(json), { decimal: 'numeric(10,2)', double: 'double precision', integer: /integer/, text: /text/ });
    expect(jsonLines(json).find((r) => r.name === 'orders')!.prod_relation).toBe(`"${c.database}"."${prodSchema}"."orders"`);
  });
});
