#!/usr/bin/env node
// Times `tsql compile` on a generated N-model project (manifest and compiled SQL written).
// fresh = first compile of a new checkout (no target/ at all: every compiled file is created);
// no cache = target/ present but target/.tsql_cache deleted (template and compile caches);
// warm = unchanged project (the compile cache answers); edit = one model changed a few seconds
// before the compile (a compile keeps nothing made from files changed in the last two seconds).
// Usage: node bench/compile.mjs [models=5000] [runs=5]
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const n = Number(process.argv[2] ?? 5000);
const runs = Number(process.argv[3] ?? 5);
const dir = join(root, '.tsql_bench', `compile-${n}`);
const bin = join(root, 'bin', 'tsql.js');

execFileSync(process.execPath, [join(root, 'bench', 'gen-project.mjs'), dir, String(n)], { stdio: 'inherit' });

function timeCompile(cwd = dir) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, 'compile'], { cwd, encoding: 'utf8' });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`compile failed: ${r.stderr}`);
  return s;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const fresh = [];
for (let i = 0; i < runs; i++) {
  // A new project directory each time: deleting 5,000 files right before a run slows the next writes on some disks.
  const copy = `${dir}-fresh-${i}`;
  rmSync(copy, { recursive: true, force: true });
  execFileSync('cp', ['-r', dir, copy]);
  rmSync(join(copy, 'target'), { recursive: true, force: true });
  execFileSync('sync');
  fresh.push(timeCompile(copy));
  rmSync(copy, { recursive: true, force: true });
}
timeCompile();
const cold = [];
for (let i = 0; i < runs; i++) {
  rmSync(join(dir, 'target', '.tsql_cache'), { recursive: true, force: true });
  cold.push(timeCompile());
}
const warm = [];
for (let i = 0; i < runs; i++) warm.push(timeCompile());
const edit = [];
for (let i = 0; i < runs; i++) {
  appendFileSync(join(dir, 'models', 'area_1', 'model_1.sql'), `-- edit ${i}\n`);
  await new Promise((r) => setTimeout(r, 2100));
  edit.push(timeCompile());
}
const fmt = (xs) => `median ${median(xs).toFixed(2)} s (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)})`;
console.log(`tsql compile, ${n} models, ${runs} runs each, ${cpus().length} cores ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
console.log(`  fresh checkout:           ${fmt(fresh)}`);
console.log(`  no template cache:        ${fmt(cold)}`);
console.log(`  warm (unchanged project): ${fmt(warm)}`);
console.log(`  one model edited:         ${fmt(edit)}`);
