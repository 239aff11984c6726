#!/usr/bin/env node
// What `tsql build` spends, before anything runs, finding the columns the models it rebuilds
// will have (src/tests/inferred-columns.ts), on the generated 5,000-model project with a
// `not_null` test on a column of every model:
//   present  - every test's column is in its model's SQL (the usual case: a text search each)
//   one typo - the same, one test names a column no model has (that model is parsed)
//   all typo - every test names a column its model lacks (every model parsed: the worst case)
// The project is compiled once in this process (dist/ modules); each scenario then times the
// inference alone, a new DuckDB parser each run as in a real build.
// Usage: node bench/inferred-columns.mjs [models=5000] [runs=5]   (after `npm run build`)
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const n = Number(process.argv[2] ?? 5000);
const runs = Number(process.argv[3] ?? 5);
const dir = join(root, '.tsql_bench', `inferred-${n}`);
if (!existsSync(join(root, 'dist', 'tsql.cjs'))) throw new Error('dist/ is missing: run `npm run build` first');

execFileSync(process.execPath, [join(root, 'bench', 'gen-project.mjs'), dir, String(n)], { stdio: 'inherit' });
const dist = (p) => import(join(root, 'dist', p));
const { parseCommon } = await dist('cli/options.js');
const { openSession, closeSession } = await dist('cli/session.js');
const { buildPlan } = await dist('plan/plan.js');
const { inferColumnsOfRebuilt } = await dist('tests/inferred-columns.js');

function schemaYml(column) {
  const lines = ['version: 2', 'models:'];
  for (let i = 0; i < n; i++) lines.push(`  - name: model_${i}`, '    columns:', `      - name: ${column(i)}`, '        tests: [not_null]');
  return lines.join('\n') + '\n';
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (const [scenario, column] of [
  ['present', () => 'id'],
  ['one typo', (i) => (i === n - 1 ? 'idd' : 'id')],
  ['all typo', () => 'idd'],
]) {
  writeFileSync(join(dir, 'models', 'schema.yml'), schemaYml(column));
  const session = await openSession(parseCommon({ projectDir: dir }), { readCatalog: false });
  try {
    const { manifest } = session.compiled;
    const all = new Set([...manifest.nodes.values()].filter((x) => ['model', 'seed', 'test'].includes(x.resourceType)).map((x) => x.uniqueId));
    const plan = buildPlan(manifest, all, { types: ['model', 'seed', 'test'], dialectOf: () => session.adapter.dialect });
    const times = [];
    let inferred = 0;
    for (let r = 0; r < runs; r++) {
      const t0 = process.hrtime.bigint();
      inferred = (await inferColumnsOfRebuilt(plan, manifest, new Map())).size;
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    results.push({ scenario, inferred, median: median(times), min: Math.min(...times), max: Math.max(...times) });
  } finally {
    await closeSession(session);
  }
}
console.log(`${n} models, ${n} column tests, ${runs} runs, ${cpus().length} cores ${cpus()[0].model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
for (const r of results) console.log(`${r.scenario.padEnd(9)} models inferred ${String(r.inferred).padStart(5)}   median ${r.median.toFixed(0).padStart(6)} ms   (${r.min.toFixed(0)} – ${r.max.toFixed(0)})`);
