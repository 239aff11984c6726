/**
 * Jinja2 compatibility layer for nunjucks 3.2.4.
 *
 * dbt projects are written in Jinja2; tsql renders them with nunjucks. This folder closes
 * the gap in three places:
 *
 * 1. `preprocessJinja(source)` (preprocess.ts): a line-preserving source rewrite for
 *    lexer-level differences.
 * 2. Process-wide patches of nunjucks' parser, compiler and runtime, installed once, the
 *    first time `installJinjaCompat` runs (parser-patches, compiler-patches, loops, tags,
 *    runtime-patches, runtime-helpers). nunjucks compiles templates to JS that calls
 *    `runtime.*` directly, so semantics such as Python truthiness, `~`, `==`, slicing,
 *    `str`/`list`/`dict` methods, loop scoping and printing `None`/`True` can only be
 *    changed there. nunjucks' own `installJinjaCompat()` is used for slice syntax and the
 *    `True`/`False`/`None` names; its `memberLookup` is replaced (it shadows an object's
 *    own `get`/`items` methods, slices strings into lists and its `pop(i)` returns a list).
 * 3. Per-environment filters, tests, globals and the `do`/`with` tags.
 *
 * What still differs from Jinja2 is listed in docs/jinja-differences.md.
 */
import type nunjucks from 'nunjucks';
import { defineNodes } from './ast-nodes.js';
import { patchCompiler } from './compiler-patches.js';
import { buildFilters } from './filters.js';
import { buildGlobals } from './globals.js';
import { patchLoops } from './loops.js';
import { nj, runtime } from './nunjucks-internals.js';
import { patchOutputMarks } from './output-marks.js';
import { patchCompileEntry, patchDispatch } from './compile-entry.js';
import { patchLexer } from './fast-lexer.js';
import { patchLiftedConstants } from './lifted-constants.js';
import { patchParser } from './parser-patches.js';
import { helpers } from './runtime-helpers.js';
import { patchRuntime } from './runtime-patches.js';
import { patchStarArgs } from './star-args.js';
import { patchNunjucksLookups } from './sandbox.js';
import { doExtension, patchTagCompilers, withExtension } from './tags.js';
import { buildTests } from './tests.js';

export { preprocessJinja } from './preprocess.js';

/** Patches nunjucks' parser, compiler and runtime (process-wide, once). */
function installGlobalPatches(): void {
  if (runtime.jinjaCompat) return;
  runtime.jinjaCompat = helpers;

  // nunjucks' own compat layer: slice syntax (x[1:], x[::-1]) and True/False/None names.
  // Its memberLookup is discarded (see the module comment); ours wraps the original.
  const memberLookupBefore = runtime.memberLookup;
  nj.installJinjaCompat();
  runtime.memberLookup = memberLookupBefore;
  patchRuntime();
  patchNunjucksLookups();

  const jinjaNodes = defineNodes();
  const P = nj.parser.Parser.prototype;
  const C = nj.compiler.Compiler.prototype;
  patchParser(P, jinjaNodes);
  patchCompiler(C, jinjaNodes);
  patchLoops(P, C, jinjaNodes);
  patchStarArgs(P, C, jinjaNodes);
  patchTagCompilers(C);
  patchOutputMarks(C);
  patchLiftedConstants(C);
  patchCompileEntry();
  patchLexer();
  // last: it keeps the Compiler's methods as patched above
  patchDispatch(C);
}

/** Installs filters, tests, globals and tag extensions on an environment. Called once per environment. */
export function installJinjaCompat(env: nunjucks.Environment): void {
  installGlobalPatches();
  const e = env as unknown as {
    addFilter(n: string, f: unknown): void;
    addTest(n: string, f: unknown): void;
    addGlobal(n: string, v: unknown): void;
    addExtension(n: string, ext: unknown): void;
    getFilter(n: string): unknown;
    getTest(n: string): unknown;
  };
  const filters = buildFilters();
  for (const [name, fn] of Object.entries(filters)) e.addFilter(name, fn);
  e.addFilter('d', filters.default);
  // nunjucks' own sort, batch, slice and random index arrays: a set reaches them as the list of its items
  for (const name of ['sort', 'batch', 'slice', 'random']) {
    const own = e.getFilter(name) as (value: unknown, ...args: unknown[]) => unknown;
    e.addFilter(name, function (this: unknown, value: unknown, ...args: unknown[]) {
      return own.call(this, value instanceof Set ? [...value] : value, ...args);
    });
  }
  e.addFilter('count', e.getFilter('length'));
  const tests = buildTests();
  for (const [name, fn] of Object.entries(tests)) e.addTest(name, fn);
  const aliases: Record<string, unknown> = {
    '==': tests.eq,
    '!=': tests.ne,
    '<': e.getTest('lt'),
    '<=': e.getTest('le'),
    '>': e.getTest('gt'),
    '>=': e.getTest('ge'),
  };
  for (const [name, fn] of Object.entries(aliases)) e.addTest(name, fn);
  for (const [name, value] of Object.entries(buildGlobals())) e.addGlobal(name, value);
  e.addExtension('JinjaCompatDo', doExtension);
  e.addExtension('JinjaCompatWith', withExtension);
}
