#!/usr/bin/env node
// Where the time of one `tsql compile` goes, phase by phase, in a new process: loading tsql's
// modules, loading the project, compiling (template code generation, V8 compile, rendering),
// the manifest and the compiled files. Wall time and the process's CPU time per phase.
// It imports tsc's modules from dist/, not the bundle the CLI runs (dist/tsql.cjs): its
// "modules" phase is the unbundled load (~190 ms); the CLI's is ~40 ms (bench/README.md).
// Usage: node bench/compile-phases.mjs <project dir> [dist dir=./dist] [--cold]
//   --cold deletes target/ first (a fresh checkout)
// The kept compiles of the compile cache are deleted first: this measures a compile.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = resolve(process.argv[2] ?? '.tsql_bench/compile-5000');
const dist = resolve(process.argv[3] && !process.argv[3].startsWith('--') ? process.argv[3] : 'dist');
if (process.argv.includes('--cold')) rmSync(join(dir, 'target'), { recursive: true, force: true });
const cacheDir = join(dir, 'target', '.tsql_cache');
if (existsSync(cacheDir)) for (const f of readdirSync(cacheDir)) if (f.startsWith('compile-')) rmSync(join(cacheDir, f));

const phases = [];
let wall = performance.now();
let cpu = process.cpuUsage();
// STOP_AFTER=<phase> ends the process after that phase (instruction counts per phase, with callgrind)
const mark = (name) => {
  if (process.env.STOP_AFTER === name) process.exit(0);
  const now = performance.now();
  const c = process.cpuUsage(cpu);
  phases.push({ name, wall: now - wall, cpu: (c.user + c.system) / 1000 });
  wall = now;
  cpu = process.cpuUsage();
};
const load = (p) => import(pathToFileURL(join(dist, p)).href);

const start = performance.now();
const { main } = await load('cli/main.js');
void main;
const { parseCommon } = await load('cli/options.js');
const { openSession, publishCompiled, closeSession } = await load('cli/session.js');
const { Reporter } = await load('cli/reporter.js');
mark('modules');
const options = parseCommon({ projectDir: dir });
const originalCompile = (await load('compiler/compiler.js')).Compiler.prototype.compile;
(await load('compiler/compiler.js')).Compiler.prototype.compile = function () {
  mark('project + target');
  const r = originalCompile.call(this);
  mark('compile');
  return r;
};
const session = await openSession(options, { readCatalog: true });
mark('catalog');
await publishCompiled(session, new Reporter('text', { write() {}, isTTY: false }), 'compile');
mark('manifest + compiled files');
await closeSession(session);
const total = performance.now() - start;
for (const p of phases) console.log(`${p.name.padEnd(28)} ${p.wall.toFixed(0).padStart(6)} ms wall ${p.cpu.toFixed(0).padStart(6)} ms cpu`);
console.log(`${'total'.padEnd(28)} ${total.toFixed(0).padStart(6)} ms (${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB peak RSS)`);
