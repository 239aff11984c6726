#!/usr/bin/env node
// How `tsql compile` grows with the project: generated projects of several sizes, each
// compiled by the real CLI in a new process as
// - a fresh checkout (no target/ at all),
// - warm (unchanged since the last compile: the compile cache answers),
// - one model edited (its SQL changed a few seconds before the compile, as in a working session:
//   a full compile, which keeps its result for the next),
// - warm without the compile cache (target/.tsql_cache/compile-*.cache deleted: the template
//   and V8 caches only, what "warm" meant before the compile cache).
// Prints wall time, CPU time (user + system) and peak RSS of each run.
// Usage: node bench/compile-scale.mjs [sizes=5000,10000,20000] [runs=3] [folder=.tsql_bench]
//   folder: where the projects are generated, e.g. /dev/shm (tmpfs) to take the disk out of the figures
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
/** A compile keeps nothing made from files changed in the last two seconds (src/project/input-snapshot.ts): files are older than that in real use. */
const settle = () => new Promise((r) => setTimeout(r, 2100));
const dropCompileCache = (dir) => {
  const cache = join(dir, 'target', '.tsql_cache');
  for (const f of readdirSync(cache)) if (f.startsWith('compile-')) rmSync(join(cache, f));
};

console.log(`tsql compile by project size, ${runs} runs each, ${cpus().length} cores ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
for (const n of sizes) {
  const dir = join(base, `compile-${n}`);
  execFileSync(process.execPath, [join(root, 'bench', 'gen-project.mjs'), dir, String(n)], { stdio: 'ignore' });
  await settle();
  const cold = [];
  for (let i = 0; i < runs; i++) {
    rmSync(join(dir, 'target'), { recursive: true, force: true });
    execFileSync('sync');
    cold.push(compile(dir));
  }
  const warm = [];
  for (let i = 0; i < runs; i++) warm.push(compile(dir));
  const edited = [];
  const model = join(dir, 'models', 'area_0', 'model_0.sql');
  const text = readFileSync(model, 'utf8');
  for (let i = 0; i < runs; i++) {
    writeFileSync(model, `${text}-- edit ${i}\n`);
    await settle();
    edited.push(compile(dir));
  }
  writeFileSync(model, text);
  await settle();
  compile(dir);
  const uncached = [];
  for (let i = 0; i < runs; i++) {
    dropCompileCache(dir);
    uncached.push(compile(dir));
  }
  for (const [name, xs] of [['fresh checkout', cold], ['warm', warm], ['one edited', edited], ['warm, no compile cache', uncached]]) {
    const w = median(xs.map((x) => x.wall));
    console.log(
      `  ${String(n).padStart(6)} models, ${name.padEnd(22)}: wall ${w.toFixed(2)} s (${xs.map((x) => x.wall.toFixed(2)).join(' ')}; ${((w / n) * 1e6).toFixed(0)} µs a model), cpu ${median(xs.map((x) => x.cpu)).toFixed(2)} s, peak RSS ${median(xs.map((x) => x.rss)).toFixed(0)} MB`,
    );
  }
}
rmSync(report, { force: true });
