// The part of the data-tests benchmark that does not depend on the engine:
// the 200 test definitions on raw.wide, the project files, and timing the CLI.
// Used by bench/tests.mjs (DuckDB) and bench/tests-postgres.mjs (PostgreSQL).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** raw.wide has an `id` column and COLUMNS columns c0 … c19; ci's kind is i % 4: int with nulls, short string, decimal, date. */
export const COLUMNS = 20;

/** 10 tests for column c = 200 tests, all on one relation. */
export function testsFor(c, rows) {
  const kind = c % 4;
  const base = ['not_null', { not_null: { name: `not_null_c${c}_recent`, config: { where: `id > ${rows / 2}` } } }];
  const extra =
    kind === 0
      ? [{ expression_is_true: { name: `c${c}_nonneg`, arguments: { expression: '>= 0' } } }, { accepted_values: { name: `c${c}_small`, arguments: { values: [0, 1, 2], quote: false }, config: { severity: 'warn' } } }]
      : kind === 1
        ? [{ accepted_values: { arguments: { values: ['a', 'b', 'c', 'd'] } } }, { accepted_values: { name: `c${c}_ab`, arguments: { values: ['a', 'b'] }, config: { severity: 'warn' } } }]
        : kind === 2
          ? [{ expression_is_true: { name: `c${c}_range`, arguments: { expression: 'between 0 and 1000' } } }, { expression_is_true: { name: `c${c}_lt500`, arguments: { expression: '< 500' }, config: { severity: 'warn' } } }]
          : [{ expression_is_true: { name: `c${c}_2024`, arguments: { expression: ">= date '2024-01-01'" } } }, { accepted_values: { name: `c${c}_first`, arguments: { values: ['2024-01-01'] }, config: { severity: 'warn', warn_if: '>1000' } } }];
  const more = Array.from({ length: 6 }, (_, k) => ({ expression_is_true: { name: `c${c}_check${k}`, arguments: { expression: kind === 1 ? `<> 'z${k}'` : kind === 3 ? `<> date '2023-01-0${k + 1}'` : `<> -${k + 1}` } } }));
  return [...base, ...extra, ...more];
}

/** Writes models/sources.yml (the source raw.wide and its 200 tests), tsql_project.yml and the given profiles.yml into dir. */
export function writeProject(dir, rows, profilesYml) {
  mkdirSync(join(dir, 'models'), { recursive: true });
  const schemaLines = ['version: 2', 'sources:', '  - name: raw', '    schema: raw', '    tables:', '      - name: wide', '        columns:'];
  for (let c = 0; c < COLUMNS; c++) {
    schemaLines.push(`          - name: c${c}`, '            data_tests:');
    for (const t of testsFor(c, rows)) schemaLines.push(`              - ${JSON.stringify(t)}`);
  }
  writeFileSync(join(dir, 'models', 'sources.yml'), schemaLines.join('\n') + '\n');
  writeFileSync(join(dir, 'tsql_project.yml'), 'name: bench\nprofile: bench\n');
  writeFileSync(join(dir, 'profiles.yml'), profilesYml);
}

/** Runs `node bin/tsql.js test …args` in dir as a new process; returns the wall time in seconds and the `Done. PASS=…` line. */
export function timeTsql(root, dir, args) {
  const bin = join(root, 'bin', 'tsql.js');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, 'test', ...args], { cwd: dir, encoding: 'utf8' });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (![0, 1].includes(r.status)) throw new Error(`tsql test failed: ${r.stderr}`);
  const done = /Done\. PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+) TOTAL=(\d+)/.exec(r.stdout);
  return { s, done: done?.[0] };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * `runs` rounds of: tsql test --fold-tests, tsql test --no-fold-tests, one full scan
 * (timeScan, in process). Stops when folded and unfolded results differ.
 */
export async function timeRounds(root, dir, runs, timeScan) {
  const folded = [];
  const single = [];
  const scan = [];
  let summary = {};
  for (let i = 0; i < runs; i++) {
    const f = timeTsql(root, dir, ['--fold-tests']);
    folded.push(f.s);
    const o = timeTsql(root, dir, ['--no-fold-tests']);
    single.push(o.s);
    scan.push(await timeScan());
    summary = { folded: f.done, single: o.done };
    console.log(`  run ${i + 1}: folded ${f.s.toFixed(2)} s, one query per test ${o.s.toFixed(2)} s, full scan ${scan.at(-1).toFixed(2)} s`);
    if (f.done !== o.done) throw new Error(`folded and unfolded results differ:\n  ${f.done}\n  ${o.done}`);
  }
  return { folded, single, scan, summary };
}

/** The closing lines both benchmarks print: medians and the ratios against the targets. */
export function printMedians({ folded, single, scan, summary }) {
  console.log(`  tsql test --fold-tests:     median ${median(folded).toFixed(2)} s   ${summary.folded}`);
  console.log(`  tsql test --no-fold-tests:  median ${median(single).toFixed(2)} s   ${summary.single}`);
  console.log(`  one full scan (in-process): median ${median(scan).toFixed(2)} s`);
}

export function printRatios({ folded, single, scan }) {
  console.log(`  folded is ${(median(single) / median(folded)).toFixed(1)}x faster than one query per test (target: 5x); ${(median(folded) / median(scan)).toFixed(2)}x a single full scan (target: 2x; includes tsql start-up)`);
}
