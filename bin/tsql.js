#!/usr/bin/env node
// Ctrl-C while tsql's code loads: exit 130, as at any later moment.
const whileLoading = () => process.exit(130);
process.on('SIGINT', whileLoading);
process.on('SIGTERM', whileLoading);

import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/**
 * tsql runs as one bundle (dist/tsql.cjs, made by scripts/build.mjs) compiled with V8's code
 * cache: parsing and compiling its ~300 modules took ~190 ms of every command, the cache takes
 * that to ~40 ms. (Node 20 has no code cache for ES modules; this is what Node 22's
 * module.enableCompileCache does.) The cache sits next to the bundle, one file per Node
 * version and set of V8 flags, and is written by the first command that runs without it. A
 * cache V8 refuses (another Node, a rebuilt bundle) is only ignored and written again.
 */
function loadBundle() {
  const file = fileURLToPath(new URL('../dist/tsql.cjs', import.meta.url));
  if (process.env.TSQL_DEBUG) return loadForDebugging(file);
  let source;
  let stat;
  try {
    source = readFileSync(file, 'utf8');
    stat = statSync(file);
  } catch {
    notBuilt(file);
  }
  warnIfStale(file, stat);
  const key = createHash('sha1').update(`${process.version}\0${process.execArgv.join('\0')}\0${stat.size}\0${stat.mtimeMs}`).digest('hex').slice(0, 16);
  const cacheFile = `${file}.${key}.v8`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // not written yet
  }
  // the CommonJS wrapper, on the bundle's first line so that its line numbers stay as they are
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  const cached = cachedData !== undefined && !script.cachedDataRejected;
  /** After the command: the functions it compiled go into the cache too. Never fails the command. */
  const saveCache = () => {
    if (cached) return;
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      rmSync(tmp, { force: true });
    }
  };
  return { main: module.exports.main, saveCache };
}

/** A developer who ran tsc alone has newer modules in dist/ than the bundle the CLI runs: say so. */
function warnIfStale(file, bundle) {
  try {
    const modules = statSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)));
    if (modules.mtimeMs > bundle.mtimeMs + 1000) process.stderr.write(`warning: ${file} is older than dist/'s modules: run npm run build\n`);
  } catch {
    // an installation without tsc's modules
  }
}

/**
 * TSQL_DEBUG: stack traces name the TypeScript sources (src/…ts:line), through the bundle's
 * source map. Node applies source maps to modules it loads itself, not to a vm.Script, so the
 * bundle is required without the code cache (a slower start does not matter then).
 */
function loadForDebugging(file) {
  process.setSourceMapsEnabled(true);
  try {
    return { main: createRequire(import.meta.url)(file).main, saveCache: () => {} };
  } catch (e) {
    if (e?.code !== 'MODULE_NOT_FOUND') throw e;
    notBuilt(file);
  }
}

function notBuilt(file) {
  process.stderr.write(`tsql is not built (${file} is missing): run npm install, or npm run build\n`);
  process.exit(1);
}

const { main, saveCache } = loadBundle();
const done = main(process.argv.slice(2));
// main has installed its own handler by now: only then let go of this one, so no signal falls in between
process.off('SIGINT', whileLoading);
process.off('SIGTERM', whileLoading);

done.then(
  (code) => {
    saveCache();
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`internal error: ${e?.message ?? e}\n`);
    process.exitCode = 1;
  },
);
