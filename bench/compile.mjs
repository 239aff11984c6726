#!/usr/bin/env node
// Times `tsql compile` on a generated N-model project (manifest and compiled SQL written).
// Cold = no target/ (no template cache); warm = unchanged project; edit = one model changed.
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

function timeCompile() {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, 'compile'], { cwd: dir, encoding: 'utf8' });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`compile failed: ${r.stderr}`);
  return s;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const cold = [];
for (let i = 0; i < runs; i++) {
  rmSync(join(dir, 'target'), { recursive: true, force: true });
  cold.push(timeCompile());
}
const warm = [];
for (let i = 0; i < runs; i++) warm.push(timeCompile());
const edit = [];
for (let i = 0; i < runs; i++) {
  appendFileSync(join(dir, 'models', 'area_1', 'model_1.sql'), `-- edit ${i}\n`);
  edit.push(timeCompile());
}
const fmt = (xs) => `median ${median(xs).toFixed(2)} s (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)})`;
console.log(`tsql compile, ${n} models, ${runs} runs each, ${cpus().length} cores ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
console.log(`  cold (no target/):        ${fmt(cold)}`);
console.log(`  warm (unchanged project): ${fmt(warm)}`);
console.log(`  one model edited:         ${fmt(edit)}`);
