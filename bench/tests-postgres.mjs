#!/usr/bin/env node
// The benchmark of bench/tests.mjs on PostgreSQL: 200 column tests over a
// 10-million-row table, tsql's folded tests (one scan per relation, the default
// on PostgreSQL) vs one query per test (--no-fold-tests, what dbt does), and
// both against a single full scan of the table.
// Usage: node bench/tests-postgres.mjs [rows=10000000] [runs=3]
// Connection: the standard variables PGHOST (localhost), PGPORT (5432), PGUSER
// (your login name), PGPASSWORD, PGDATABASE (= PGUSER) and PGSSLMODE (prefer).
// The user needs to create the schema `raw` (or own it) in that database. The
// database holds one raw.wide: running with another row count rebuilds it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, totalmem, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { COLUMNS, median, printMedians, printRatios, timeRounds, timeTsql, writeProject } from './tests-shared.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rows = Number(process.argv[2] ?? 10_000_000);
const runs = Number(process.argv[3] ?? 3);
const dir = join(root, '.tsql_bench', `tests-pg-${rows}`);

const env = process.env;
const conn = {
  host: env.PGHOST || 'localhost',
  port: Number(env.PGPORT || 5432),
  user: env.PGUSER || userInfo().username,
  database: env.PGDATABASE || env.PGUSER || userInfo().username,
  sslmode: env.PGSSLMODE || 'prefer',
};

/** A pg client with the same settings as the profile; `prefer` falls back to plain TCP as libpq does. */
async function connect() {
  const base = { host: conn.host, port: conn.port, user: conn.user, password: env.PGPASSWORD, database: conn.database, application_name: 'tsql-bench' };
  const tries = conn.sslmode === 'disable' ? [false] : conn.sslmode === 'prefer' ? [{ rejectUnauthorized: false }, false] : [{ rejectUnauthorized: conn.sslmode.startsWith('verify') }];
  for (const [i, ssl] of tries.entries()) {
    const client = new pg.Client({ ...base, ssl });
    try {
      await client.connect();
      return client;
    } catch (e) {
      if (i === tries.length - 1 || !/does not support SSL/i.test(e.message)) throw e;
    }
  }
}

// raw.wide: the same 21 columns and value formulas as bench/tests.mjs (DuckDB's
// BIGINT, VARCHAR, DOUBLE and DATE are bigint, text, float8 and date here), built
// once. A table that exists with the right row count is reused.
const client = await connect();
const exists = (await client.query(`select to_regclass('raw.wide') is not null as e`)).rows[0].e;
const count = exists ? Number((await client.query('select count(*) as n from raw.wide')).rows[0].n) : -1;
if (count !== rows) {
  const cols = [];
  for (let c = 0; c < COLUMNS; c++) {
    if (c % 4 === 0) cols.push(`case when i % ${97 + c} = 0 then null else i % ${1000 + c} end as c${c}`);
    else if (c % 4 === 1) cols.push(`(array['a', 'b', 'c', 'd'])[1 + (i % 4)::int] as c${c}`);
    else if (c % 4 === 2) cols.push(`(i * ${c + 1}) % 100000 / 100.0::float8 as c${c}`);
    else cols.push(`date '2024-01-01' + (i % 365)::int as c${c}`);
  }
  const t0 = process.hrtime.bigint();
  await client.query('create schema if not exists raw');
  await client.query('drop table if exists raw.wide');
  await client.query(`create table raw.wide as select i as id, ${cols.join(', ')} from generate_series(0::bigint, ${rows - 1}) t(i)`);
  // VACUUM sets the hint bits now, so the first timed scan does not write every page; ANALYZE gives the planner statistics.
  await client.query('vacuum analyze raw.wide');
  console.log(`built raw.wide (${rows.toLocaleString()} rows) in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`);
}
const size = (await client.query(`select pg_size_pretty(pg_table_size('raw.wide')) as s, version() as v`)).rows[0];

// The password stays in the environment: the profile reads it with env_var().
writeProject(
  dir,
  rows,
  [
    'bench:',
    '  target: dev',
    '  outputs:',
    '    dev:',
    '      type: postgres',
    `      host: ${JSON.stringify(conn.host)}`,
    `      port: ${conn.port}`,
    `      user: ${JSON.stringify(conn.user)}`,
    `      password: "{{ env_var('PGPASSWORD', '') }}"`,
    `      dbname: ${JSON.stringify(conn.database)}`,
    '      schema: public',
    `      sslmode: ${conn.sslmode}`,
    '      threads: 2',
    '',
  ].join('\n'),
);

async function timeQuery(sql) {
  const t0 = process.hrtime.bigint();
  await client.query(sql);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
const scanSql = `select count(*), ${Array.from({ length: COLUMNS }, (_, c) => `count(c${c})`).join(', ')} from raw.wide`;

/** The shared scan that the folded run sent, from its target/run/ file. */
function foldedScanSql() {
  const files = [];
  const walk = (d) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.sql')) files.push(p);
    }
  };
  if (existsSync(join(dir, 'target', 'run'))) walk(join(dir, 'target', 'run'));
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const m = /^select\n {2}[^\n]* as "t0",\n[\s\S]*?\nfrom [^\n;]*raw[^\n;]*wide[^\n;]*/m.exec(text);
    if (m) return m[0];
  }
  return undefined;
}

await timeQuery(scanSql); // untimed: puts the table in the OS cache, as the tests would find it on a warm server
const rounds = await timeRounds(root, dir, runs, () => timeQuery(scanSql));

// The folded run's shared query alone, sent in process. The last run above was --no-fold-tests,
// so one more folded run leaves the shared query in target/run/.
timeTsql(root, dir, ['--fold-tests']);
const sharedSql = foldedScanSql();
const shared = [];
if (sharedSql) for (let i = 0; i < runs; i++) shared.push(await timeQuery(sharedSql));
await client.end();

console.log(`200 column tests over ${rows.toLocaleString()} rows x ${COLUMNS + 1} columns (${size.s}) on ${size.v.split(' on ')[0]}, ${runs} runs, ${cpus().length} cores ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
printMedians(rounds);
if (shared.length) console.log(`  the folded shared query alone (in-process): median ${median(shared).toFixed(2)} s   (runs: ${shared.map((x) => x.toFixed(2)).join(', ')})`);
else console.log('  (the folded shared query was not found in target/run/)');
printRatios(rounds);
