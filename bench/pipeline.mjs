#!/usr/bin/env node
// Times the example pipeline (`tsql run --ds 2024-01-03`) on generated data against the same
// work done directly in DuckDB, without tsql.
//
//   node bench/pipeline.mjs [purchases=10000000] [reviews=1000000] [runs=5]
//
// Every contender is timed as a whole child process (wall clock from spawn to exit, so Node's
// start-up and module loading count on every side; CPU time through /usr/bin/time):
//   tsql run             - `node bin/tsql.js run --ds 2024-01-03` in a copy of the project
//                          (the profile's 4 threads: the two unloads run at the same time);
//   direct               - `node bench/pipeline.mjs --direct <db> <statements.json>`: opens the
//                          database with @duckdb/node-api, sends minimal hand-written statements
//                          one after another (COPY … TO csv, COPY … TO parquet, CREATE SCHEMA, two
//                          CREATE VIEWs over the lake files, CREATE TABLE … AS), closes it;
//   tsql run --threads 1 - a diagnostic: tsql sending its statements one after another too.
// Each timed run starts from a fresh copy of a base database holding the two source tables and
// from an empty lake. After one untimed warm-up of tsql (which also leaves target/ and its
// template cache, as on a machine that runs the pipeline daily) and of direct, the contenders
// run in turn, `runs` rounds. After every run the outputs (user_behavior_metric's rows and what
// both lake views read) are compared with the first run's; any difference aborts the benchmark.
// Everything generated lives under .tsql_bench/ (git-ignored); data and the base database are
// cached in .tsql_bench/pipeline-data/, keyed by sizes and seed.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const DS = '2024-01-03';
const SEED = 42;
const START = '2024-01-01';
const DAYS = 7;

if (process.argv[2] === '--direct') {
  await directRun(process.argv[3], process.argv[4]);
} else {
  await main();
}

// ---------------------------------------------------------------------------
// The direct contender (runs in its own process)
// ---------------------------------------------------------------------------

/** Opens the database, sends each statement in order, closes; prints per-phase timings as JSON. */
async function directRun(dbPath, statementsFile) {
  const t0 = performance.now();
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const tImport = performance.now();
  const statements = JSON.parse(readFileSync(statementsFile, 'utf8'));
  for (const s of statements) if (s.dir) mkdirSync(s.dir, { recursive: true });
  const instance = await DuckDBInstance.create(dbPath);
  const conn = await instance.connect();
  const tOpen = performance.now();
  const steps = [];
  const firstStatementAt = Date.now();
  for (const s of statements) {
    const t = performance.now();
    await conn.run(s.sql);
    steps.push({ label: s.label, ms: performance.now() - t });
  }
  const lastStatementEndAt = Date.now();
  const tClose = performance.now();
  conn.closeSync();
  instance.closeSync();
  const tEnd = performance.now();
  process.stdout.write(
    JSON.stringify({ importMs: tImport - t0, openMs: tOpen - tImport, steps, closeMs: tEnd - tClose, inProcessMs: tEnd - t0, firstStatementAt, lastStatementEndAt }) + '\n',
  );
}

// ---------------------------------------------------------------------------
// The benchmark
// ---------------------------------------------------------------------------

async function main() {
  const purchases = intArg(2, 10_000_000);
  const reviews = intArg(3, 1_000_000);
  const runs = intArg(4, 5);
  if (runs < 1) fail('runs must be at least 1');

  const { DuckDBInstance } = await import('@duckdb/node-api');
  const benchDir = join(root, '.tsql_bench');
  const dataDir = join(benchDir, 'pipeline-data', `p${purchases}-r${reviews}-s${SEED}-${START}-d${DAYS}`);
  const runsDir = join(benchDir, 'pipeline-runs');
  const bin = join(root, 'bin', 'tsql.js');
  if (!existsSync(join(root, 'dist', 'tsql.cjs'))) fail('dist/ is missing: run `npm run build` first');

  // 1. Data, generated once per (sizes, seed, start, days).
  if (!existsSync(join(dataDir, 'user_purchase.csv')) || !existsSync(join(dataDir, 'movie_review.csv'))) {
    const tmp = `${dataDir}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    log(`generating ${purchases} purchases and ${reviews} reviews into ${rel(dataDir)} …`);
    execFileSync(process.execPath, [join(root, 'scripts', 'generate-data.mjs'), '--purchases', String(purchases), '--reviews', String(reviews),
      '--out', tmp, '--seed', String(SEED), '--start', START, '--days', String(DAYS)], { stdio: 'inherit' });
    rmSync(dataDir, { recursive: true, force: true });
    renameSync(tmp, dataDir);
  }

  // 2. The base database: the two source tables, bulk-loaded with read_csv and the seeds' column types.
  const base = join(dataDir, 'base.duckdb');
  const types = seedColumnTypes();
  if (!existsSync(base)) {
    const tmp = join(dataDir, 'base.tmp.duckdb');
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.wal`, { force: true });
    const t = performance.now();
    const inst = await DuckDBInstance.create(tmp);
    const c = await inst.connect();
    // where the project's naming puts the seeds: user_purchase stands in for the shop's retail schema
    await c.run('create schema retail');
    for (const table of ['user_purchase', 'movie_review']) {
      const cols = Object.entries(types[table]).map(([k, v]) => `'${k}': '${v}'`).join(', ');
      await c.run(`create table ${table === 'user_purchase' ? 'retail' : 'main'}.${table} as select * from read_csv('${join(dataDir, `${table}.csv`)}', header = true, columns = {${cols}})`);
    }
    await c.run('checkpoint');
    c.closeSync();
    inst.closeSync();
    if (existsSync(`${tmp}.wal`)) fail(`${tmp}.wal left behind after closing`);
    renameSync(tmp, base);
    log(`loaded the base database in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const baseInfo = await withDb(DuckDBInstance, base, async (c) => {
    const row = async (sql) => (await c.runAndReadAll(sql)).getRows()[0];
    const [version] = await row('select version()');
    const [np] = await row('select count(*) from retail.user_purchase');
    const [nr] = await row('select count(*) from main.movie_review');
    const [nday] = await row(`select count(*) from retail.user_purchase where quantity > 2 and cast(invoice_date as date) = '${DS}'`);
    return { version, np: Number(np), nr: Number(nr), nday: Number(nday) };
  });
  if (baseInfo.np !== purchases || baseInfo.nr !== reviews) fail(`base database holds ${baseInfo.np} purchases and ${baseInfo.nr} reviews, expected ${purchases} and ${reviews}`);

  // 3. The project copy for tsql: the project files, no generated data. The seed CSVs are the
  //    repository's small samples; `tsql run` needs the seed nodes for ref() but never reads the files.
  rmSync(runsDir, { recursive: true, force: true });
  const project = join(runsDir, 'project');
  mkdirSync(project, { recursive: true });
  for (const f of ['models', 'macros', 'seeds', 'tests', 'tsql_project.yml', 'profiles.yml']) {
    if (existsSync(join(root, f))) cpSync(join(root, f), join(project, f), { recursive: true });
  }

  // One run of either contender: fresh database copy and empty lake, then a timed child process.
  let runNo = 0;
  const prepare = () => {
    const dir = join(runsDir, `run-${++runNo}`);
    mkdirSync(join(dir, 'lake'), { recursive: true });
    const db = join(dir, 'pipeline.duckdb');
    copyFileSync(base, db);
    return { dir, db, lake: join(dir, 'lake') };
  };
  // Wall clock from spawn to exit; CPU time (user + system) of the child through /usr/bin/time when
  // present: a shared VM's wall clock is noisy, CPU seconds much less so.
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const timeChild = (args, opts) => {
    const cpuFile = join(runsDir, 'cpu.txt');
    rmSync(cpuFile, { force: true });
    const [cmd, argv] = timeBin ? [timeBin, ['-f', '%U %S', '-o', cpuFile, process.execPath, ...args]] : [process.execPath, args];
    execFileSync('sync'); // the database copy's dirty pages are written before the clock starts
    const startedAt = Date.now();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) fail(`${args.join(' ')} exited with ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
    const cpu = timeBin ? readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number).reduce((a, b) => a + b, 0) : NaN;
    return { seconds, cpu, startedAt, stdout: r.stdout };
  };
  const runTsql = (extraArgs = []) => {
    const run = prepare();
    const { seconds, cpu, startedAt, stdout } = timeChild([bin, 'run', '--ds', DS, ...extraArgs], {
      cwd: project,
      env: { ...process.env, TSQL_DUCKDB_PATH: run.db, TSQL_LAKE_ROOT: run.lake },
    });
    const m = /Finished running .* in ([\d.]+)s/.exec(stdout);
    const results = JSON.parse(readFileSync(join(project, 'target', 'run_results.json'), 'utf8'));
    const nodes = Object.fromEntries(results.results.map((r) => [r.unique_id.split('.').slice(-1)[0], r.execution_time]));
    // Before the first node started / after the last one finished: tsql's own time around the SQL.
    const first = Math.min(...results.results.map((r) => Date.parse(r.timing[0].started_at)));
    const last = Math.max(...results.results.map((r) => Date.parse(r.timing[0].completed_at)));
    const around = { before: (first - startedAt) / 1000, sql: (last - first) / 1000, after: seconds - (last - startedAt) / 1000 };
    return { ...run, seconds, cpu, internal: m ? Number(m[1]) : NaN, nodes, around };
  };
  const runDirect = () => {
    const run = prepare();
    const file = join(run.dir, 'statements.json');
    writeFileSync(file, JSON.stringify(directStatements(run.lake, types), null, 2));
    const { seconds, cpu, startedAt, stdout } = timeChild([self, '--direct', run.db, file], { cwd: root });
    const phases = JSON.parse(stdout.trim().split('\n').pop());
    const around = {
      before: (phases.firstStatementAt - startedAt) / 1000,
      sql: (phases.lastStatementEndAt - phases.firstStatementAt) / 1000,
      after: seconds - (phases.lastStatementEndAt - startedAt) / 1000,
    };
    return { ...run, seconds, cpu, phases, around };
  };

  // Outputs of a run: the mart's rows (count, sums, an order-independent hash of every row) and
  // what the two lake views read. Every run must match the first one exactly.
  let reference;
  const check = async (who, run) => {
    const out = await withDb(DuckDBInstance, run.db, async (c) => {
      const row = async (sql) => (await c.runAndReadAll(sql)).getRows()[0].map(String);
      return {
        metric: await row('select count(*), sum(amount_spent), sum(review_score), sum(review_count), bit_xor(hash(customerid, amount_spent, review_score, review_count, insert_date)), min(insert_date), max(insert_date) from main.user_behavior_metric'),
        purchases: await row('select count(*), sum(quantity * unit_price), min(insert_date), max(insert_date) from spectrum.user_purchase_staging'),
        reviews: await row('select count(*), count(*) filter (where positive_review), min(insert_date), max(insert_date) from spectrum.classified_movie_review_staging'),
        leftovers: await row("select count(*) from duckdb_tables() where table_name like '%tsql%'"),
      };
    });
    const text = JSON.stringify(out);
    if (!reference) reference = { who, text, out };
    else if (text !== reference.text) fail(`outputs differ between ${reference.who} and ${who}:\n  ${reference.text}\n  ${text}`);
    rmSync(run.dir, { recursive: true, force: true });
    return out;
  };

  // 4. Untimed warm-up pair: checks that both produce the same rows, and keeps tsql's
  //    target/ (the template cache) as it would be on a machine that runs the pipeline daily.
  log(`warm-up: tsql (no target/ yet), then direct …`);
  const firstTsql = runTsql();
  const sent = statementsSent(project);
  const out = await check('tsql (warm-up)', firstTsql);
  const firstDirect = runDirect();
  await check('direct (warm-up)', firstDirect);
  log(`  tsql ${firstTsql.seconds.toFixed(2)} s, direct ${firstDirect.seconds.toFixed(2)} s; outputs identical: ${out.metric[0]} rows, sum(amount_spent) ${out.metric[1]}`);

  // 5. Timed runs, alternating: tsql, direct, then (a diagnostic) tsql with one thread, which
  //    sends the statements one after another as the direct script does.
  const contenders = [
    { key: 'tsql', label: 'tsql run', run: () => runTsql() },
    { key: 'direct', label: 'direct', run: () => runDirect() },
    { key: 'tsql1', label: 'tsql run --threads 1', run: () => runTsql(['--threads', '1']) },
  ];
  const done = Object.fromEntries(contenders.map((c) => [c.key, []]));
  for (let i = 0; i < runs; i++) {
    const line = [];
    for (const c of contenders) {
      const r = c.run();
      await check(`${c.label} (run ${i + 1})`, r);
      done[c.key].push(r);
      line.push(`${c.label} ${r.seconds.toFixed(2)} s`);
    }
    log(`  run ${i + 1}/${runs}: ${line.join(', ')}`);
  }

  // 6. Node start-up alone, and tsql's modules, for the analysis.
  const nodeStart = [];
  for (let i = 0; i < 5; i++) nodeStart.push(timeChild(['-e', '0'], {}).seconds);
  const tsqlLoad = [];
  for (let i = 0; i < 5; i++) tsqlLoad.push(timeChild([bin, '--version'], {}).seconds);
  rmSync(runsDir, { recursive: true, force: true });

  // Report.
  const cpu = cpus();
  const wall = (key) => done[key].map((r) => r.seconds);
  const f = (x) => x.toFixed(2);
  const ratio = median(wall('tsql')) / median(wall('direct'));
  console.log('');
  console.log(`The pipeline (run date ${DS}): ${purchases.toLocaleString('en-US')} purchases, ${reviews.toLocaleString('en-US')} reviews, seed ${SEED}, ${DAYS} days from ${START}`);
  console.log(`  ${baseInfo.nday.toLocaleString('en-US')} purchase lines unloaded, ${reviews.toLocaleString('en-US')} reviews classified, ${Number(out.metric[0]).toLocaleString('en-US')} rows in user_behavior_metric (identical in every run)`);
  console.log(`Machine: ${cpu.length} cores ${cpu[0].model.trim()}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; DuckDB ${baseInfo.version} (@duckdb/node-api ${duckdbNodeApiVersion()})`);
  console.log(`Base database ${(statSync(base).size / 2 ** 20).toFixed(0)} MiB, copied before each run; ${runs} timed runs per contender, alternating, after one untimed warm-up of tsql and direct`);
  console.log('');
  console.log('| contender | wall median | min – max | CPU (user+sys) median | all runs (wall) |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const c of contenders) {
    const w = wall(c.key);
    const cpuS = done[c.key].map((r) => r.cpu);
    console.log(`| ${c.label} | **${f(median(w))} s** | ${f(Math.min(...w))} – ${f(Math.max(...w))} s | ${f(median(cpuS))} s | ${w.map(f).join(', ')} |`);
  }
  console.log('');
  console.log(`ratio tsql/direct, medians of wall time: ${ratio.toFixed(3)} (target: at most 1.2; ${ratio <= 1.2 ? 'met' : 'NOT met'})`);
  console.log(`ratio tsql --threads 1/direct:            ${(median(wall('tsql1')) / median(wall('direct'))).toFixed(3)}`);
  console.log(`ratio of the fastest runs tsql/direct:    ${(Math.min(...wall('tsql')) / Math.min(...wall('direct'))).toFixed(3)}`);
  console.log(`median of per-round ratios tsql/direct:   ${median(wall('tsql').map((x, i) => x / wall('direct')[i])).toFixed(3)}  (each: ${wall('tsql').map((x, i) => (x / wall('direct')[i]).toFixed(2)).join(', ')})`);
  console.log(`ratio of CPU time tsql/direct:            ${(median(done.tsql.map((r) => r.cpu)) / median(done.direct.map((r) => r.cpu))).toFixed(3)}`);
  const outside = (key) => median(done[key].map((r) => r.around.before + r.around.after));
  const extra = outside('tsql') - outside('direct');
  console.log(`tsql's time outside the SQL minus direct's: ${f(extra)} s, i.e. ${((100 * extra) / median(wall('direct'))).toFixed(1)}% of the direct run's median`);
  console.log(`first tsql run, no target/ yet (untimed warm-up): ${f(firstTsql.seconds)} s; first direct run: ${f(firstDirect.seconds)} s`);
  console.log('');
  console.log('Around the SQL (medians; before = spawn to the first statement, after = the last statement\'s end to exit):');
  console.log('| contender | before the first statement | first statement start to last statement end | after the last statement | before + after |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const c of contenders) {
    const a = done[c.key].map((r) => r.around);
    console.log(`| ${c.label} | ${f(median(a.map((x) => x.before)))} s | ${f(median(a.map((x) => x.sql)))} s | ${f(median(a.map((x) => x.after)))} s | ${f(median(a.map((x) => x.before + x.after)))} s |`);
  }
  console.log('');
  console.log('Where the time goes (medians over the timed runs):');
  console.log(`  node -e 0                                  ${f(median(nodeStart))} s`);
  console.log(`  node bin/tsql.js --version                 ${f(median(tsqlLoad))} s`);
  for (const key of ['tsql', 'tsql1']) {
    const rs = done[key];
    const label = contenders.find((c) => c.key === key).label;
    console.log(`  ${label}: "Finished … in" ${f(median(rs.map((r) => r.internal)))} s; process wall minus that ${f(median(rs.map((r) => r.seconds - r.internal)))} s; wall minus the nodes' summed times ${f(median(rs.map((r) => r.seconds - sum(Object.values(r.nodes)))))} s`);
    for (const name of Object.keys(rs[0].nodes)) console.log(`    ${name.padEnd(40)} ${f(median(rs.map((r) => r.nodes[name])))} s`);
  }
  const p = done.direct.map((r) => r.phases);
  const ms = (xs) => f(median(xs) / 1000);
  console.log(`  direct: in process ${ms(p.map((x) => x.inProcessMs))} s; process wall minus the statements' summed times ${f(median(done.direct.map((r) => r.seconds - sum(r.phases.steps.map((x) => x.ms)) / 1000)))} s`);
  console.log(`    import @duckdb/node-api                  ${ms(p.map((x) => x.importMs))} s`);
  console.log(`    open database                            ${ms(p.map((x) => x.openMs))} s`);
  for (let i = 0; i < p[0].steps.length; i++) console.log(`    ${p[0].steps[i].label.padEnd(40)} ${ms(p.map((x) => x.steps[i].ms))} s`);
  console.log(`    close (checkpoint)                       ${ms(p.map((x) => x.closeMs))} s`);
  console.log('');
  console.log(`Statements: tsql recorded ${sent.count} in target/run/ (it also reads the catalog and counts the new table's rows); direct sends ${directStatements('/lake', types).length}.`);
}

/** The minimal statements a person would run by hand for the pipeline's run date. */
function directStatements(lake, types) {
  const csvCols = Object.entries(types.user_purchase).map(([k, v]) => `'${k}': '${v}'`).join(', ');
  const purchaseDir = join(lake, 'stage', 'user_purchase', DS);
  const reviewDir = join(lake, 'stage', 'movie_review', DS);
  const fromFolder = `cast(regexp_extract(filename, '/([^/]+)/[^/]+$', 1) as date)`;
  return [
    {
      label: 'copy purchases to csv',
      dir: purchaseDir,
      sql: `copy (
  select invoice_number, stock_code, detail, quantity, invoice_date, unit_price, customer_id, country
  from retail.user_purchase
  where quantity > 2 and cast(invoice_date as date) = '${DS}'
  order by invoice_number, stock_code
) to '${join(purchaseDir, 'user_purchase.csv')}' (format csv, header true)`,
    },
    {
      label: 'copy classified reviews to parquet',
      dir: reviewDir,
      sql: `copy (
  select
    cid,
    list_contains(regexp_split_to_array(lower(review_str), '[^a-z]+'), 'good') as positive_review,
    date '${DS}' as insert_date
  from main.movie_review
) to '${join(reviewDir, 'classified_movie_review.parquet')}' (format parquet)`,
    },
    { label: 'create schema spectrum', sql: 'create schema if not exists spectrum' },
    {
      label: 'create view user_purchase_staging',
      sql: `create view spectrum.user_purchase_staging as
select invoice_number, stock_code, detail, quantity, invoice_date, unit_price, customer_id, country,
       ${fromFolder} as insert_date
from read_csv('${join(lake, 'stage', 'user_purchase')}/*/*.csv', header = true, columns = {${csvCols}}, filename = true)`,
    },
    {
      label: 'create view classified_movie_review_staging',
      sql: `create view spectrum.classified_movie_review_staging as
select cid, positive_review, ${fromFolder} as insert_date
from read_parquet('${join(lake, 'stage', 'movie_review')}/*/*.parquet', filename = true)`,
    },
    {
      label: 'create table user_behavior_metric',
      sql: `create table main.user_behavior_metric as
with purchases as (
  select customer_id, sum(quantity * unit_price) as amount_spent
  from spectrum.user_purchase_staging
  where insert_date = '${DS}'
  group by customer_id
),
reviews as (
  select cid, sum(case when positive_review then 1 else 0 end) as review_score, count(*) as review_count
  from spectrum.classified_movie_review_staging
  where insert_date = '${DS}'
  group by cid
)
select
  purchases.customer_id as customerid,
  cast(purchases.amount_spent as decimal(18, 5)) as amount_spent,
  cast(coalesce(reviews.review_score, 0) as integer) as review_score,
  cast(coalesce(reviews.review_count, 0) as integer) as review_count,
  date '${DS}' as insert_date
from purchases
left join reviews on reviews.cid = purchases.customer_id`,
    },
  ];
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** The seeds' column_types from models/schema.yml (a small, fixed YAML shape: read with a regex walk). */
function seedColumnTypes() {
  const text = readFileSync(join(root, 'models', 'schema.yml'), 'utf8');
  const out = {};
  for (const table of ['user_purchase', 'movie_review']) {
    const start = text.indexOf(`- name: ${table}\n`);
    const block = text.slice(text.indexOf('column_types:', start));
    const cols = {};
    for (const line of block.split('\n').slice(1)) {
      const m = /^\s{8}(\w+):\s*(.+?)\s*$/.exec(line);
      if (!m) break;
      cols[m[1]] = m[2];
    }
    if (!Object.keys(cols).length) fail(`no column_types for seed ${table} in models/schema.yml`);
    out[table] = cols;
  }
  return out;
}

/** How many statements tsql recorded in target/run/ for the last run. */
function statementsSent(project) {
  let count = 0;
  const walk = (dir) => {
    for (const e of readdirSyncSafe(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else count += readFileSync(p, 'utf8').split(/;\n/).filter((s) => s.trim()).length;
    }
  };
  walk(join(project, 'target', 'run'));
  return { count };
}

function readdirSyncSafe(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

async function withDb(DuckDBInstance, path, fn) {
  const inst = await DuckDBInstance.create(path);
  const c = await inst.connect();
  try {
    return await fn(c);
  } finally {
    c.closeSync();
    inst.closeSync();
  }
}

function duckdbNodeApiVersion() {
  return JSON.parse(readFileSync(join(root, 'node_modules', '@duckdb', 'node-api', 'package.json'), 'utf8')).version;
}

function intArg(i, dflt) {
  const raw = process.argv[i];
  if (raw === undefined) return dflt;
  if (!/^\d+$/.test(raw)) fail(`argument ${i - 1} must be a non-negative integer, got ${raw}`);
  return Number(raw);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function sum(xs) {
  return xs.reduce((a, b) => a + b, 0);
}

function rel(p) {
  return p.slice(root.length + 1);
}

function log(msg) {
  console.log(msg);
}

function fail(msg) {
  console.error(`bench/pipeline: ${msg}`);
  process.exit(1);
}
