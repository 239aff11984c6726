/**
 * nunjucks' template → JavaScript entry point (`compiler.compile`), without the steps that do
 * nothing for tsql's templates. nunjucks runs every parsed template through its transformer
 * (lifting async filters, `super()` in blocks, turning `if`/`for` with async parts into their
 * async forms): three walks of the tree, a nested one per `if` and `for`. tsql registers no
 * async filter and its tags (`do`, `with`: tags.ts) are sync, so the transformer changes
 * nothing unless the template has a `{% block %}` (or an async filter was registered); it is
 * skipped otherwise. The same code comes out, sooner.
 */
import { createRequire } from 'node:module';
import { nj, type Any } from './nunjucks-internals.js';
import { TemplateSkeletons, type LiftedCode } from './skeletons.js';

const require = createRequire(import.meta.url);
const transformer = require('nunjucks/src/transformer.js') as { transform(ast: Any, asyncFilters: string[], name: string): Any };

/** A `{% block %}` tag, the only construct of a sync template the transformer rewrites (`super()`). */
const BLOCK_TAG = /\{%[-+]?\s*block\b/;

/**
 * Template functions are compiled by V8 when the script that holds them is (they are all
 * called: a model's root renders once, a macro file's root runs when it is loaded): each is
 * written as a parenthesized function expression, which V8 compiles at once, instead of a
 * declaration it pre-parses first and parses again on the first call.
 */
function patchEagerFunctions(C: Any): void {
  const begin = C._emitFuncBegin;
  C._emitFuncBegin = function (this: Any, node: Any, name: string) {
    const at = this.codebuf.length;
    begin.call(this, node, name);
    const head = `function ${name}(env, context, frame, runtime, cb) {\n`;
    if (this.codebuf[at] !== head) throw new Error('nunjucks function code is not as tsql expects');
    this.codebuf[at] = `var ${name} = (${head}`;
  };
  const end = C._emitFuncEnd;
  C._emitFuncEnd = function (this: Any, noReturn?: boolean) {
    end.call(this, noReturn);
    const last = this.codebuf.length - 1;
    if (this.codebuf[last] !== '}\n') throw new Error('nunjucks function code is not as tsql expects');
    this.codebuf[last] = '});\n';
  };
}

/**
 * nunjucks' `compile(node, frame)` finds a node's method by building its name (`'compile' +
 * typename`) and looking it up, on each of the ~100 nodes of a template. The method found for
 * each type name is kept instead. Installed after every other patch of the Compiler's methods
 * (installGlobalPatches, once, before any template compiles), so it keeps the patched ones.
 */
export function patchDispatch(C: Any): void {
  const methods = new Map<string, (this: Any, node: Any, frame: Any) => void>();
  C.compile = function (this: Any, node: Any, frame: Any) {
    let method = methods.get(node.typename);
    if (method === undefined) {
      method = this['compile' + node.typename];
      if (typeof method !== 'function') return this.fail(`compile: Cannot compile node: ${node.typename}`, node.lineno, node.colno);
      methods.set(node.typename, method);
    }
    method.call(this, node, frame);
  };
}

let parse: (src: string, extensions: Any[], opts: Any) => Any;
let NunjucksCompiler: new (name: string, throwOnUndefined: boolean) => Any;

function compileSource(src: string, asyncFilters: string[], extensions: Any[], name: string, opts: Any, constants?: unknown[]): string {
  const c = new NunjucksCompiler(name, opts.throwOnUndefined);
  if (constants) c.tsqlConstants = constants;
  let source = src;
  for (const ext of extensions) if (ext.preprocess) source = ext.preprocess(source);
  const ast = parse(source, extensions, opts);
  const sync = !asyncFilters.length && !BLOCK_TAG.test(source);
  c.compile(sync ? ast : transformer.transform(ast, asyncFilters, name));
  return c.getCode();
}

export function patchCompileEntry(): void {
  patchEagerFunctions((nj.compiler as Any).Compiler.prototype);
  const compiler = nj.compiler as Any;
  NunjucksCompiler = compiler.Compiler;
  const parser = (nj as Any).parser;
  parse = (src, extensions, opts) => parser.parse(src, extensions, opts);
  compiler.compile = (src: string, asyncFilters: string[] = [], extensions: Any[] = [], name: string, opts: Any = {}) => compileSource(src, asyncFilters, extensions, name, opts);
}

/** An environment's settings that code generation reads. */
export interface CompileSettings {
  asyncFilters: string[];
  extensionsList: Any[];
  opts: Any;
}

/** Each environment's template skeletons (skeletons.ts). */
const skeletons = new WeakMap<CompileSettings, TemplateSkeletons>();

/**
 * A template's code with its constants lifted out (lifted-constants.ts): the code is the same
 * for templates of the same structure, and runs as `new Function(CONSTANTS, code)(constants)`.
 * A template whose skeleton was met before gets its code without being parsed (skeletons.ts).
 */
export function compileLifted(src: string, name: string, env: CompileSettings): LiftedCode {
  let known = skeletons.get(env);
  if (!known) skeletons.set(env, (known = new TemplateSkeletons(env)));
  return known.compile(src, name) ?? compileLiftedDirectly(src, name, env);
}

/** compileLifted without skeletons: nunjucks' parser and code generator. */
export function compileLiftedDirectly(src: string, name: string, env: CompileSettings): LiftedCode {
  const constants: unknown[] = [];
  const code = compileSource(src, env.asyncFilters, env.extensionsList, name, env.opts, constants);
  return { code, constants };
}
