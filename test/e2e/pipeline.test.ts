/**
 * The repository's own example project (the daily user-behaviour pipeline), run end to end
 * through the real CLI in throwaway copies, and checked against an independent computation
 * made here straight from the seed CSVs (no tsql macro or model is used for the expectation).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyExample, queryDuckDB, REPO_ROOT, runCli, useProjects, type CliResult } from '../helpers/project.js';

// ---------------------------------------------------------------------------------------------
// A copy of the example project
// ---------------------------------------------------------------------------------------------

interface PipelineCopy {
  dir: string;
  db: string;
  lake: string;
  tsql(args: string[]): CliResult;
}

const copies: string[] = [];

/** Copies the example project into a fresh temp dir; the database and lake live inside the copy. */
function copyExampleProject(): PipelineCopy {
  const dir = copyExample('tsql-pipeline-');
  copies.push(dir);
  const db = join(dir, 'warehouse', 'user_behavior.duckdb');
  const lake = join(dir, 'my_lake');
  const env = { TSQL_DUCKDB_PATH: db, TSQL_LAKE_ROOT: lake };
  return { dir, db, lake, tsql: (args) => runCli(args, dir, env) };
}

afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The independent computation
// ---------------------------------------------------------------------------------------------

type SeedRow = Record<string, string | null>;

/** Parses a CSV with DuckDB's reader (every column as text) in an in-memory database. */
async function readCsvAllVarchar(path: string): Promise<SeedRow[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const sql = `select * from read_csv('${path.replace(/'/g, "''")}', header = true, all_varchar = true)`;
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as SeedRow[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** English stop words (common function words); written here, independent of the project's macro. */
const STOP_WORDS = new Set(
  `a about above after again against all am an and any are aren as at be because been before being below between
   both but by can cannot could couldn d did didn do does doesn doing don down during each few for from further had
   hadn has hasn have haven having he her here hers herself him himself his how i if in into is isn it its itself
   just ll m ma me mightn more most mustn my myself needn no nor not now o of off on once only or other our ours
   ourselves out over own re s same shan she should shouldn so some such t than that the their theirs them themselves
   then there these they this those through to too under until up ve very was wasn we were weren what when where
   which while who whom why will with won would wouldn y you your yours yourself yourselves`
    .split(/\s+/)
    .filter(Boolean),
);

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((t) => t !== '' && !STOP_WORDS.has(t));
}

function isPositive(text: string | null): boolean {
  return tokens(text ?? '').some((t) => t === 'good');
}

const SCALE = 5;

/** '1.950' → 195000n (scale 5); rejects anything but a plain decimal. */
function toScaled(text: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`not a decimal: ${text}`);
  const frac = (m[3] ?? '').padEnd(SCALE, '0');
  if (frac.length > SCALE && /[1-9]/.test(frac.slice(SCALE))) throw new Error(`more than ${SCALE} decimals: ${text}`);
  const v = BigInt(m[2] + frac.slice(0, SCALE));
  return m[1] ? -v : v;
}

function formatScaled(v: bigint): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(SCALE + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -SCALE)}.${digits.slice(-SCALE)}`;
}

interface MetricRow {
  customerid: number;
  amount_spent: string;
  review_score: number;
  review_count: number;
  insert_date: string;
}

interface Expectation {
  purchases: SeedRow[];
  reviews: SeedRow[];
  /** The run date's purchase lines that the unload keeps (quantity > 2). */
  purchaseLines(ds: string): SeedRow[];
  metric(ds: string): MetricRow[];
}

async function independentExpectation(): Promise<Expectation> {
  const purchases = await readCsvAllVarchar(join(REPO_ROOT, 'seeds', 'user_purchase.csv'));
  const reviews = await readCsvAllVarchar(join(REPO_ROOT, 'seeds', 'movie_review.csv'));

  const reviewStats = new Map<number, { score: number; count: number }>();
  for (const r of reviews) {
    const cid = Number(r.cid);
    const s = reviewStats.get(cid) ?? { score: 0, count: 0 };
    s.count += 1;
    if (isPositive(r.review_str)) s.score += 1;
    reviewStats.set(cid, s);
  }

  const purchaseLines = (ds: string) =>
    purchases.filter((p) => Number(p.quantity) > 2 && (p.invoice_date ?? '').slice(0, 10) === ds);

  const metric = (ds: string): MetricRow[] => {
    const spent = new Map<number, bigint>();
    for (const p of purchaseLines(ds)) {
      const customer = Number(p.customer_id);
      spent.set(customer, (spent.get(customer) ?? 0n) + BigInt(Number(p.quantity)) * toScaled(p.unit_price!));
    }
    return [...spent.entries()]
      .sort(([a], [b]) => a - b)
      .map(([customer, amount]) => ({
        customerid: customer,
        amount_spent: formatScaled(amount),
        review_score: reviewStats.get(customer)?.score ?? 0,
        review_count: reviewStats.get(customer)?.count ?? 0,
        insert_date: ds,
      }));
  };

  return { purchases, reviews, purchaseLines, metric };
}

// ---------------------------------------------------------------------------------------------
// Reading the results
// ---------------------------------------------------------------------------------------------

const METRIC_SQL = `select customerid, cast(amount_spent as varchar) as amount_spent, review_score, review_count,
  strftime(insert_date, '%Y-%m-%d') as insert_date, typeof(amount_spent) as amount_type
from main.user_behavior_metric order by insert_date, customerid`;

/**
 * All of user_behavior_metric's rows, by date then customer (amount_spent must stay decimal(18,5)).
 * When the file or table cannot be read, the error is returned as a row so assertions fail with it.
 */
async function metricRows(db: string): Promise<MetricRow[]> {
  let rows: Record<string, unknown>[];
  try {
    rows = await queryDuckDB(db, METRIC_SQL);
  } catch (e) {
    return [{ customerid: -1, amount_spent: `cannot read ${db}: ${(e as Error).message}`, review_score: -1, review_count: -1, insert_date: '' }];
  }
  for (const r of rows) expect(r.amount_type).toBe('DECIMAL(18,5)');
  return rows.map((r) => ({
    customerid: Number(r.customerid),
    amount_spent: String(r.amount_spent),
    review_score: Number(r.review_score),
    review_count: Number(r.review_count),
    insert_date: String(r.insert_date),
  }));
}

function rowsOf(rows: MetricRow[], ds: string): MetricRow[] {
  return rows.filter((r) => r.insert_date === ds);
}

/** Output lines without the leading HH:MM:SS timestamp. */
function lines(out: string): string[] {
  return out.split('\n').map((l) => l.replace(/^\d\d:\d\d:\d\d {2}/, ''));
}

/** The message lines of each "Failure in ..." block of the run summary. */
function failureMessages(stdout: string): string[][] {
  const ls = lines(stdout);
  const blocks: string[][] = [];
  ls.forEach((l, i) => {
    if (!l.startsWith('Failure in ')) return;
    const msg: string[] = [];
    for (let j = i + 1; j < ls.length && ls[j].trim() !== ''; j++) msg.push(ls[j].trim());
    blocks.push(msg);
  });
  return blocks;
}

const STACK_TRACE = /\n\s+at .*:\d+:\d+/;

function days(from: number, to: number): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d++) out.push(`2024-01-${String(d).padStart(2, '0')}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// One day: build, artifacts, re-run
// ---------------------------------------------------------------------------------------------

describe('the example pipeline, one run date', () => {
  const DS = '2024-01-03';
  let expected: Expectation;
  let p: PipelineCopy;
  let first: CliResult;
  let afterFirst: MetricRow[];
  let csvText: string | null;
  let csvRows: SeedRow[];
  let parquetExists: boolean;
  let runResults: any;
  let second: CliResult;
  let afterSecond: MetricRow[];

  beforeAll(async () => {
    expected = await independentExpectation();
    p = copyExampleProject();
    first = p.tsql(['build', '--ds', DS]);
    afterFirst = await metricRows(p.db);
    const csvPath = join(p.lake, 'stage', 'user_purchase', DS, 'user_purchase.csv');
    csvText = existsSync(csvPath) ? readFileSync(csvPath, 'utf8') : null;
    csvRows = csvText === null ? [] : await readCsvAllVarchar(csvPath);
    parquetExists = existsSync(join(p.lake, 'stage', 'movie_review', DS, 'classified_movie_review.parquet'));
    const rr = join(p.dir, 'target', 'run_results.json');
    runResults = existsSync(rr) ? JSON.parse(readFileSync(rr, 'utf8')) : null;
    second = p.tsql(['build', '--ds', DS]);
    afterSecond = await metricRows(p.db);
  });

  it('the independent computation is non-trivial', () => {
    const rows = expected.metric(DS);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.some((r) => r.review_count === 0)).toBe(true);
    expect(rows.some((r) => r.review_score > 0)).toBe(true);
    expect(rows.some((r) => r.review_count > 0 && r.review_score === 0)).toBe(true);
  });

  it('tsql build --ds 2024-01-03 reproduces the independent computation', () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    for (const [kind, name] of [
      ['sql unload model', 'filter_unload_user_purchase'],
      ['sql unload model', 'classified_movie_review'],
      ['external source', 'lake\\.user_purchase_staging'],
      ['external source', 'lake\\.classified_movie_review_staging'],
      ['sql incremental model', 'main\\.user_behavior_metric'],
    ]) {
      expect(first.stdout).toMatch(new RegExp(`\\d+ of 24 START ${kind} ${name} \\.`));
      expect(first.stdout).toMatch(new RegExp(`\\d+ of 24 OK created ${kind} ${name} \\.`));
    }
    expect(first.stdout).toMatch(/Done\. PASS=24 WARN=0 ERROR=0 SKIP=0 TOTAL=24/);
    expect(afterFirst).toEqual(expected.metric(DS));
  });

  it('writes the lake files and records the unload in run_results.json', () => {
    const lines = expected.purchaseLines(DS);
    expect(lines.length).toBeGreaterThan(0);
    expect(csvText).not.toBeNull();
    expect(csvText!.split(/\r?\n/)[0]).toBe('invoice_number,stock_code,detail,quantity,invoice_date,unit_price,customer_id,country');
    expect(csvRows.length).toBe(lines.length);
    // The same purchase lines, not just as many.
    const key = (r: SeedRow) => [r.invoice_number, r.stock_code, r.quantity, r.customer_id].join('|');
    expect(csvRows.map(key).sort()).toEqual(lines.map(key).sort());
    expect(parquetExists).toBe(true);

    expect(runResults).not.toBeNull();
    const unload = runResults.results.find((r: any) => r.unique_id === 'model.user_behavior.filter_unload_user_purchase');
    expect(unload).toBeDefined();
    expect(unload.status).toBe('success');
    expect(String(unload.location)).toMatch(/stage\/user_purchase\/2024-01-03\/user_purchase\.csv$/);
    expect(unload.rows_affected).toBe(lines.length);
  });

  it('re-running the same day replaces its rows (no duplicates)', () => {
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Done\. PASS=24 WARN=0 ERROR=0 SKIP=0 TOTAL=24/);
    expect(afterSecond).toEqual(afterFirst);
    expect(afterSecond).toEqual(expected.metric(DS));
  });
});

// ---------------------------------------------------------------------------------------------
// A week's backfill, then an empty day, bad input and a corrupt partition, in one copy
// ---------------------------------------------------------------------------------------------

describe('the example pipeline, backfill and failures', () => {
  const WEEK = days(1, 7);
  let expected: Expectation;
  let p: PipelineCopy;
  let backfill: CliResult;
  let afterBackfill: MetricRow[];
  let emptyDay: CliResult;
  let afterEmptyDay: MetricRow[];
  let badDs: CliResult;
  let afterBadDs: MetricRow[];
  let badRange: CliResult;
  let afterBadRange: MetricRow[];
  let corrupt: CliResult;
  let otherDay: CliResult;
  let afterOtherDay: MetricRow[];
  let afterCorrupt: MetricRow[];
  let noLake: CliResult;

  beforeAll(async () => {
    expected = await independentExpectation();
    p = copyExampleProject();
    backfill = p.tsql(['build', '--start', '2024-01-01', '--end', '2024-01-07']);
    afterBackfill = await metricRows(p.db);
    emptyDay = p.tsql(['build', '--ds', '2024-02-01']);
    afterEmptyDay = await metricRows(p.db);
    badDs = p.tsql(['build', '--ds', '2024-13-01']);
    afterBadDs = await metricRows(p.db);
    badRange = p.tsql(['build', '--start', '2024-01-05', '--end', '2024-01-01']);
    afterBadRange = await metricRows(p.db);
    writeFileSync(join(p.lake, 'stage', 'movie_review', '2024-01-02', 'classified_movie_review.parquet'), 'this is not a parquet file\n'.repeat(8));
    // Another day's broken file is pruned away by the date filter: that run is fine.
    otherDay = p.tsql(['run', '--ds', '2024-01-05']);
    afterOtherDay = await metricRows(p.db);
    // Re-reading the broken day (without re-unloading it) must fail at staging, naming the file.
    corrupt = p.tsql(['run', '--ds', '2024-01-02', '--select', 'user_behavior_metric']);
    afterCorrupt = await metricRows(p.db);

    noLake = copyExampleProject().tsql(['stage-external', '--ds', '2024-01-03']);
  });

  it('backfills 2024-01-01..07 day by day, each day equal to the independent computation', () => {
    expect(backfill.stderr).toBe('');
    expect(backfill.code).toBe(0);
    const announced = [...backfill.stdout.matchAll(/Run date (\S+) \((\d+) of (\d+)\)/g)].map((m) => `${m[1]} ${m[2]}/${m[3]}`);
    expect(announced).toEqual(WEEK.map((d, i) => `${d} ${i + 1}/7`));
    expect(backfill.stdout.match(/Done\. PASS=24 WARN=0 ERROR=0 SKIP=0 TOTAL=24/g)?.length).toBe(7);
    expect(backfill.stdout).toMatch(/Backfill completed/);
    expect(backfill.stdout.indexOf('Backfill completed')).toBeGreaterThan(backfill.stdout.lastIndexOf('Run date 2024-01-07'));

    expect([...new Set(afterBackfill.map((r) => r.insert_date))]).toEqual(WEEK);
    for (const ds of WEEK) expect(rowsOf(afterBackfill, ds), ds).toEqual(expected.metric(ds));
    expect(afterBackfill).toEqual(WEEK.flatMap((ds) => expected.metric(ds)));
  });

  it('leaves a DuckDB file that opens and reads fine', async () => {
    const tables = await queryDuckDB(p.db, `select table_schema, table_name from information_schema.tables order by 1, 2`);
    expect(tables).toEqual([
      { table_schema: 'main', table_name: 'movie_review' },
      { table_schema: 'main', table_name: 'user_behavior_metric' },
      { table_schema: 'retail', table_name: 'user_purchase' },
      { table_schema: 'spectrum', table_name: 'classified_movie_review_staging' },
      { table_schema: 'spectrum', table_name: 'user_purchase_staging' },
    ]);
    const counts = await queryDuckDB(
      p.db,
      `select (select count(*) from retail.user_purchase) as purchases, (select count(*) from main.movie_review) as reviews`,
    );
    expect(counts).toEqual([{ purchases: String(expected.purchases.length), reviews: String(expected.reviews.length) }]);
  });

  it('a day without purchases adds no rows and leaves earlier days alone', () => {
    expect(expected.metric('2024-02-01')).toEqual([]);
    expect(emptyDay.stderr).toBe('');
    expect(emptyDay.code).toBe(0);
    expect(emptyDay.stdout).toMatch(/Done\. PASS=24 WARN=0 ERROR=0 SKIP=0 TOTAL=24/);
    expect(rowsOf(afterEmptyDay, '2024-02-01')).toEqual([]);
    expect(afterEmptyDay).toEqual(afterBackfill);
  });

  it('--ds that is not a calendar date: exit 2, one line, nothing changed', () => {
    expect(badDs.code).toBe(2);
    expect(badDs.stderr.split('\n')[0]).toMatch(/^error: --ds must be a calendar date like 2024-01-03, got '2024-13-01'/);
    expect(badDs.stderr.trim().split('\n')).toHaveLength(1);
    expect(badDs.stderr).not.toMatch(STACK_TRACE);
    expect(badDs.stdout).not.toMatch(/START/);
    expect(afterBadDs).toEqual(afterBackfill);
  });

  it('--start after --end: exit 2, one line, nothing changed', () => {
    expect(badRange.code).toBe(2);
    expect(badRange.stderr.split('\n')[0]).toMatch(/^error: .*--start 2024-01-05 is after --end 2024-01-01/);
    expect(badRange.stderr.trim().split('\n')).toHaveLength(1);
    expect(badRange.stderr).not.toMatch(STACK_TRACE);
    expect(badRange.stdout).not.toMatch(/START/);
    expect(afterBadRange).toEqual(afterBackfill);
  });

  it('an external source whose location does not exist: exit 1, names the source', () => {
    expect(noLake.code).toBe(1);
    const out = noLake.stdout + noLake.stderr;
    expect(out).not.toMatch(STACK_TRACE);
    const messages = failureMessages(noLake.stdout);
    expect(messages.length).toBeGreaterThanOrEqual(1);
    for (const msg of messages) {
      expect(msg).toHaveLength(1);
      expect(msg[0]).toMatch(/lake\.(user_purchase_staging|classified_movie_review_staging)\b.*location .* does not exist/);
    }
    expect(out).toMatch(/lake\.(user_purchase_staging|classified_movie_review_staging)/);
    expect(noLake.stdout).toMatch(/ERROR=[12] /);
  });

  it('an unreadable file in another day\'s partition does not break a run that never reads that day', () => {
    expect(otherDay.code).toBe(0);
    expect(afterOtherDay.filter((r) => r.insert_date !== '2024-01-05')).toEqual(afterBackfill.filter((r) => r.insert_date !== '2024-01-05'));
    expect(rowsOf(afterOtherDay, '2024-01-05')).toEqual(rowsOf(afterBackfill, '2024-01-05'));
  });

  it('an unreadable file in the run date\'s partition: exit 1, one-line failure naming the file, rows untouched', () => {
    expect(corrupt.stdout + corrupt.stderr).not.toMatch(STACK_TRACE);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stdout).toMatch(/Done\. PASS=1 WARN=0 ERROR=1 SKIP=1 TOTAL=3/);
    const messages = failureMessages(corrupt.stdout);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toHaveLength(1);
    expect(messages[0][0]).toMatch(/external source lake\.classified_movie_review_staging: unreadable file .*stage\/movie_review\/2024-01-02\/classified_movie_review\.parquet in the 2024-01-02 partition/);
    expect(afterCorrupt).toEqual(afterOtherDay);
  });
});

// ---------------------------------------------------------------------------------------------
// Run-date templating through the CLI
// ---------------------------------------------------------------------------------------------

describe('run-date templating', () => {
  const project = useProjects();

  it('renders ds, ds_nodash, prev_ds, next_ds, macros.ds_add/ds_format, ts and params; --vars override params', async () => {
    const p = project({
      'models/dates.sql': `{{ config(params={'region': 'eu'}) }}
select '{{ ds }}' as ds, '{{ ds_nodash }}' as n, '{{ prev_ds }}' as p, '{{ next_ds }}' as x,
  '{{ macros.ds_add(ds, 7) }}' as w, '{{ macros.ds_format(ds, "%Y-%m-%d", "%d/%m/%Y") }}' as f,
  '{{ ts }}' as ts, '{{ params.region }}' as region
`,
    });
    const want = {
      ds: '2024-02-28',
      n: '20240228',
      p: '2024-02-27',
      x: '2024-02-29',
      w: '2024-03-06',
      f: '28/02/2024',
      ts: '2024-02-28T00:00:00+00:00',
      region: 'eu',
    };
    const r = p.tsql(['run', '--ds', '2024-02-28']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await p.query('select * from main.dates')).toEqual([want]);

    const r2 = p.tsql(['run', '--ds', '2024-02-28', '--vars', '{region: us}']);
    expect(r2.stderr).toBe('');
    expect(r2.code).toBe(0);
    expect(await p.query('select * from main.dates')).toEqual([{ ...want, region: 'us' }]);
  });
});
