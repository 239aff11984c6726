#!/usr/bin/env node
// How `tsql compile` grows with the project: generated projects of several sizes, each
// compiled as a fresh checkout (no target/ at all) and then warm, by the real CLI in a new
// process. Prints wall time, CPU time (user + system) and peak RSS of each run.
// Usage: node bench/compile-scale.mjs [sizes=5000,10000,20000] [runs=3] [folder=.tsql_bench]
//   folder: where the projects are generated, e.g. /dev/shm (tmpfs) to take the disk out of the figures
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sizes = (process.argv[2] ?? '5000,10000,20000').split(',').map(Number);
const runs = Number(process.argv[3] ?? 3);
const base = process.argv[4] ?? join(root, '.tsql_bench');
const bin = join(root, 'bin', 'tsql.js');
const report = join(tmpdir(), `tsql-bench-usage-${process.pid}.json`);

/** One compile in a new process; its own CPU time and peak RSS come from an --import hook that writes them at exit. */
function compile(dir) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', join(root, 'bench', 'usage-at-exit.mjs'), bin, 'compile'], { cwd: dir, encoding: 'utf8', env: { ...process.env, TSQL_BENCH_USAGE: report } });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`compile failed: ${r.stderr}`);
  const u = JSON.parse(readFileSync(report, 'utf8'));
  return { wall, cpu: (u.userCPUTime + u.systemCPUTime) / 1e6, rss: u.maxRSS / 1024 };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`tsql compile by project size, ${runs} runs each, ${cpus().length} cores ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
for (const n of sizes) {
  const dir = join(base, `compile-${n}`);
  execFileSync(process.execPath, [join(root, 'bench', 'gen-project.mjs'), dir, String(n)], { stdio: 'ignore' });
  const cold = [];
  for (let i = 0; i < runs; i++) {
    rmSync(join(dir, 'target'), { recursive: true, force: true });
    execFileSync('sync');
    cold.push(compile(dir));
  }
  const warm = [];
  for (let i = 0; i < runs; i++) warm.push(compile(dir));
  for (const [name, xs] of [['fresh checkout', cold], ['warm', warm]]) {
    const w = median(xs.map((x) => x.wall));
    console.log(
      `  ${String(n).padStart(6)} models, ${name.padEnd(14)}: wall ${w.toFixed(2)} s (${((w / n) * 1e6).toFixed(0)} µs a model), cpu ${median(xs.map((x) => x.cpu)).toFixed(2)} s, peak RSS ${median(xs.map((x) => x.rss)).toFixed(0)} MB`,
    );
  }
}
rmSync(report, { force: true });
