#!/usr/bin/env node
// How `tsql seed` copes with a big seed on DuckDB: a generated CSV of the given sizes
// (quoted commas, doubled quotes, quoted newlines, empty fields, dates, decimals), loaded by
// the real CLI in a new process. Prints the wall time, when the seed's START line appeared,
// the load rate and the process's peak RSS (from an --import hook that writes it at exit).
// Usage: node bench/seed-load.mjs [sizes in MB=100,1000] [runs=1]
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sizes = (process.argv[2] ?? '100,1000').split(',').map(Number);
const runs = Number(process.argv[3] ?? 1);
const bin = join(root, 'bin', 'tsql.js');
const report = join(tmpdir(), `tsql-bench-usage-${process.pid}.json`);

function block(rows) {
  let out = '';
  for (let i = 1; i <= rows; i++) {
    const note = i % 10 === 0 ? '"two\nlines, ""quoted"""' : i % 7 === 0 ? '' : `note ${i % 13}`;
    out += `${i},"name ${i % 97}, ok",${i % 1000}.25,2024-01-${String((i % 28) + 1).padStart(2, '0')},${note}\n`;
  }
  return Buffer.from(out);
}

function project(mb) {
  const dir = join(root, '.tsql_bench', `seed-${mb}mb`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'seeds'), { recursive: true });
  writeFileSync(join(dir, 'tsql_project.yml'), 'name: seedbench\nprofile: seedbench\n');
  writeFileSync(join(dir, 'profiles.yml'), `seedbench:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(dir, 'bench.duckdb')}\n      threads: 2\n`);
  const fd = openSync(join(dir, 'seeds', 'events.csv'), 'w');
  writeSync(fd, 'id,name,amount,day,note\n');
  const b = block(10_000);
  const copies = Math.ceil((mb * 1e6) / b.length);
  for (let k = 0; k < copies; k++) writeSync(fd, b);
  closeSync(fd);
  return { dir, rows: copies * 10_000, bytes: copies * b.length };
}

function seed(dir) {
  return new Promise((resolve, reject) => {
    rmSync(join(dir, 'bench.duckdb'), { force: true });
    const t0 = performance.now();
    let started;
    let out = '';
    const child = spawn(process.execPath, ['--import', join(root, 'bench', 'usage-at-exit.mjs'), bin, 'seed', '--profiles-dir', dir], { cwd: dir, env: { ...process.env, TSQL_BENCH_USAGE: report, NO_COLOR: '1' } });
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (started === undefined && /START seed file/.test(out)) started = (performance.now() - t0) / 1000;
    });
    child.stderr.setEncoding('utf8').on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`tsql seed failed (${code}):\n${out}`));
      const u = JSON.parse(readFileSync(report, 'utf8'));
      resolve({ wall: (performance.now() - t0) / 1000, started, rss: u.maxRSS / 1024 });
    });
  });
}

console.log(`tsql seed on DuckDB, ${runs} run(s) each, ${cpus().length} cores ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
for (const mb of sizes) {
  const p = project(mb);
  for (let i = 0; i < runs; i++) {
    const r = await seed(p.dir);
    console.log(
      `  ${(p.bytes / 1e6).toFixed(0).padStart(5)} MB, ${p.rows.toLocaleString('en-US')} rows: wall ${r.wall.toFixed(1)} s, START line at ${r.started.toFixed(2)} s, ${(p.bytes / 1e6 / r.wall).toFixed(1)} MB/s, ${Math.round(p.rows / r.wall).toLocaleString('en-US')} rows/s, peak RSS ${r.rss.toFixed(0)} MB`,
    );
  }
  rmSync(p.dir, { recursive: true, force: true });
}
rmSync(report, { force: true });
