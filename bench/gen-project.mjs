#!/usr/bin/env node
// Writes an N-model tsql project for benchmarks: each model refs 1-3 earlier
// models, a third are tables, the rest views; a few seeds at the roots.
// Deterministic (seeded), so every run measures the same project.
// Usage: node bench/gen-project.mjs <dir> [models=5000] [--varied]
//   --varied: each model also sets a variable of its own name, so no two models have the same
//   template structure (no template skeleton is shared: src/templating/jinja/skeletons.ts)
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const n = Number(process.argv[3] && !process.argv[3].startsWith('--') ? process.argv[3] : 5000);
const varied = process.argv.includes('--varied');
if (!dir) {
  console.error('usage: node bench/gen-project.mjs <dir> [models]');
  process.exit(2);
}

let state = 42;
const rand = () => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state / 2 ** 32;
};

rmSync(dir, { recursive: true, force: true });
mkdirSync(join(dir, 'seeds'), { recursive: true });
writeFileSync(join(dir, 'tsql_project.yml'), `name: bench\nprofile: bench\nmodels:\n  bench:\n    +materialized: view\n`);
writeFileSync(join(dir, 'profiles.yml'), `bench:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: bench.duckdb\n      threads: 4\n`);
const seeds = 5;
for (let s = 0; s < seeds; s++) writeFileSync(join(dir, 'seeds', `seed_${s}.csv`), 'id,value\n1,10\n2,20\n3,30\n');

const folders = 20;
for (let i = 0; i < n; i++) {
  const folder = join(dir, 'models', `area_${i % folders}`);
  mkdirSync(folder, { recursive: true });
  const refs = new Set();
  const count = 1 + Math.floor(rand() * 3);
  for (let k = 0; k < count; k++) refs.add(i === 0 ? -1 : Math.floor(rand() * i));
  const froms = [...refs].map((r) => (r < 0 ? `{{ ref('seed_${Math.floor(rand() * seeds)}') }}` : `{{ ref('model_${r}') }}`));
  const materialized = i % 3 === 0 ? 'table' : 'view';
  const sql = [
    `{{ config(materialized='${materialized}', tags=['area_${i % folders}']) }}`,
    `-- model ${i}: ${froms.length} upstream`,
    `select`,
    `    t0.id,`,
    `    ${froms.map((_, k) => `t${k}.value`).join(' + ')} as value`,
    `from ${froms[0]} as t0`,
    ...froms.slice(1).map((f, k) => `left join ${f} as t${k + 1} on t${k + 1}.id = t0.id`),
    `{% if var('filter', false) %}where t0.id > {{ var('filter') }}{% endif %}`,
    ...(varied ? [`{% set model_${i}_note = 'model ${i}' %}`] : []),
    '',
  ].join('\n');
  writeFileSync(join(folder, `model_${i}.sql`), sql);
}
console.log(`wrote ${n} models and ${seeds} seeds to ${dir}`);
