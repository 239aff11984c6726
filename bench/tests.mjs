#!/usr/bin/env node
// Times 200 column tests over a 10-million-row DuckDB table: tsql's folded tests
// (one scan per relation) vs one query per test (--no-fold-tests, what dbt does),
// and both against a single full scan of the table.
// Usage: node bench/tests.mjs [rows=10000000] [runs=3]
import { existsSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { COLUMNS, printMedians, printRatios, timeRounds, writeProject } from './tests-shared.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rows = Number(process.argv[2] ?? 10_000_000);
const runs = Number(process.argv[3] ?? 3);
const dir = join(root, '.tsql_bench', `tests-${rows}`);
const db = join(dir, 'warehouse.duckdb');

mkdirSync(join(dir, 'models'), { recursive: true });
if (!existsSync(db)) {
  const instance = await DuckDBInstance.create(db);
  const conn = await instance.connect();
  const cols = [];
  for (let c = 0; c < COLUMNS; c++) {
    if (c % 4 === 0) cols.push(`case when i % ${97 + c} = 0 then null else i % ${1000 + c} end as c${c}`);
    else if (c % 4 === 1) cols.push(`['a', 'b', 'c', 'd'][1 + (i % 4)::int] as c${c}`);
    else if (c % 4 === 2) cols.push(`(i * ${c + 1}) % 100000 / 100.0 as c${c}`);
    else cols.push(`date '2024-01-01' + (i % 365)::int as c${c}`);
  }
  await conn.run(`create schema if not exists raw`);
  await conn.run(`create table raw.wide as select i as id, ${cols.join(', ')} from range(${rows}) t(i)`);
  conn.closeSync();
  instance.closeSync();
}

writeProject(dir, rows, 'bench:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: warehouse.duckdb\n      threads: 2\n');

async function timeFullScan() {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  const aggs = Array.from({ length: COLUMNS }, (_, c) => `count(c${c})`).join(', ');
  const t0 = process.hrtime.bigint();
  await conn.runAndReadAll(`select count(*), ${aggs} from raw.wide`);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  conn.closeSync();
  instance.closeSync();
  return s;
}

const rounds = await timeRounds(root, dir, runs, timeFullScan);
console.log(`200 column tests over ${rows.toLocaleString()} rows x ${COLUMNS + 1} columns, ${runs} runs, ${cpus().length} cores ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
printMedians(rounds);
printRatios(rounds);
