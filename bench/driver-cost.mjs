#!/usr/bin/env node
// What the Snowflake driver costs, at install and at run time.
//
//   node bench/driver-cost.mjs [runs=5]
//
// 1. `npm ci` time and node_modules size, with this package-lock.json and with the same lock file
//    minus snowflake-sdk and the packages only it needs (`npm uninstall snowflake-sdk` in a copy,
//    which rewrites the lock file). Each install runs in a fresh copy of package.json +
//    package-lock.json under .tsql_bench/driver-cost/, with npm's cache warm (the first,
//    untimed install of each side fills it), `--ignore-scripts` (no TypeScript build) and no
//    audit/fund. Alternating rounds.
// 2. A DuckDB-only command (`tsql ls` on the example project, a new process each run) with this
//    build, and the modules it loaded: snowflake-sdk must not be among them (drivers load on
//    first use). Also the import time of the adapter registry alone.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5);
const work = join(root, '.tsql_bench', 'driver-cost');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

function dirSize(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += dirSize(p);
    else if (e.isFile()) n += statSync(p).size;
  }
  return n;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const npm = (cwd, args) => execFileSync('npm', args, { cwd, stdio: 'pipe', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });

// the two lock files
const withDir = join(work, 'with');
const withoutDir = join(work, 'without');
for (const d of [withDir, withoutDir]) {
  mkdirSync(d);
  cpSync(join(root, 'package.json'), join(d, 'package.json'));
  cpSync(join(root, 'package-lock.json'), join(d, 'package-lock.json'));
}
npm(withoutDir, ['uninstall', 'snowflake-sdk', '--package-lock-only', '--ignore-scripts']);

function install(dir) {
  rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
  const t0 = performance.now();
  npm(dir, ['ci', '--ignore-scripts', '--no-audit', '--no-fund']);
  return (performance.now() - t0) / 1000;
}

install(withDir);
install(withoutDir);
const times = { with: [], without: [] };
for (let i = 0; i < runs; i++) {
  times.without.push(install(withoutDir));
  times.with.push(install(withDir));
}
const sizes = { with: dirSize(join(withDir, 'node_modules')), without: dirSize(join(withoutDir, 'node_modules')) };
const packages = (dir) => readdirSync(join(dir, 'node_modules'), { recursive: true }).filter((p) => String(p).endsWith('package.json') && !String(p).includes('/test')).length;

// a DuckDB-only command, and what it loaded
const project = join(work, 'project');
mkdirSync(project);
for (const f of ['tsql_project.yml', 'models', 'seeds', 'macros', 'tests']) cpSync(join(root, f), join(project, f), { recursive: true });
writeFileSync(join(project, 'profiles.yml'), 'user_behavior:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: warehouse.duckdb\n      threads: 2\n');
const probe = join(work, 'loaded-modules.cjs');
writeFileSync(probe, "process.on('exit', () => { require('node:fs').writeFileSync(process.env.TSQL_LOADED_OUT, Object.keys(require.cache).join('\\n')); });\n");
const cli = join(root, 'bin', 'tsql.js');
const lsTimes = [];
let loaded = [];
spawnSync(process.execPath, [cli, 'ls'], { cwd: project }); // warm-up
for (let i = 0; i < runs * 2; i++) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--require', probe, cli, 'ls'], { cwd: project, env: { ...process.env, TSQL_LOADED_OUT: join(work, 'loaded.txt') } });
  lsTimes.push((performance.now() - t0) / 1000);
  if (r.status !== 0) throw new Error(`tsql ls failed: ${r.stderr}`);
  loaded = execFileSync('cat', [join(work, 'loaded.txt')]).toString().split('\n');
}
const drivers = loaded.filter((m) => /node_modules\/(snowflake-sdk|pg|@aws-sdk)\//.test(m));
const registry = [];
for (let i = 0; i < runs * 2; i++) {
  const r = execFileSync(process.execPath, ['--input-type=module', '-e', `const t0 = performance.now(); await import(${JSON.stringify(join(root, 'dist/adapters/registry.js'))}); console.log(performance.now() - t0);`]);
  registry.push(Number(r.toString()));
}

const mb = (b) => `${(b / 1024 / 1024).toFixed(0)} MB`;
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`);
console.log(`npm ci without snowflake-sdk: median ${median(times.without).toFixed(2)} s (${times.without.map((t) => t.toFixed(2)).join(', ')}), node_modules ${mb(sizes.without)}, ${packages(withoutDir)} package.json files`);
console.log(`npm ci with snowflake-sdk:    median ${median(times.with).toFixed(2)} s (${times.with.map((t) => t.toFixed(2)).join(', ')}), node_modules ${mb(sizes.with)}, ${packages(withDir)} package.json files`);
console.log(`tsql ls (DuckDB only): median ${median(lsTimes).toFixed(3)} s over ${lsTimes.length} runs; driver modules loaded: ${drivers.length ? drivers.join(', ') : 'none'}`);
console.log(`import of the adapter registry: median ${median(registry).toFixed(1)} ms`);
if (drivers.length) process.exitCode = 1;
if (!existsSync(join(withDir, 'node_modules', 'snowflake-sdk'))) process.exitCode = 1;
