import nunjucks from 'nunjucks';
import { installJinjaCompat, preprocessJinja } from './jinja-compat.js';
import type { TemplateCodeCache } from './template-cache.js';
import { withRenderBudget } from './jinja/render-budget.js';

/** Thrown by `return(value)` inside a macro; caught by the macro wrapper. */
export class MacroReturn {
  constructor(readonly value: unknown) {}
}

let lastUndefinedName: string | undefined;

/** The name of the last variable or attribute that resolved to undefined (for error messages). */
export function lastUndefined(): string | undefined {
  return lastUndefinedName;
}

let runtimePatched = false;

/**
 * Jinja semantics nunjucks lacks at runtime: a macro can `return()` a value
 * (dbt's idiom), and errors about undefined values can say which name it was.
 */
function patchRuntime(): void {
  if (runtimePatched) return;
  runtimePatched = true;
  const rt = nunjucks.runtime as unknown as Record<string, (...args: unknown[]) => unknown>;
  const makeMacro = rt.makeMacro;
  rt.makeMacro = (argNames: unknown, kwargNames: unknown, func: unknown) => {
    const body = func as (...a: unknown[]) => unknown;
    const wrapped = function (this: unknown, ...args: unknown[]) {
      try {
        return body.apply(this, args);
      } catch (e) {
        if (e instanceof MacroReturn) return e.value;
        throw e;
      }
    };
    return makeMacro(argNames, kwargNames, wrapped);
  };
  const contextOrFrameLookup = rt.contextOrFrameLookup;
  rt.contextOrFrameLookup = (context: unknown, frame: unknown, name: unknown) => {
    const v = contextOrFrameLookup(context, frame, name);
    if (v === undefined) lastUndefinedName = String(name);
    return v;
  };
  const memberLookup = rt.memberLookup;
  rt.memberLookup = (obj: unknown, val: unknown) => {
    const v = memberLookup(obj, val);
    if (v === undefined) lastUndefinedName = String(val);
    return v;
  };
  // Every render has a time budget (see jinja/render-budget.ts).
  const proto = nunjucks.Template.prototype as unknown as { render(...a: unknown[]): unknown };
  const render = proto.render;
  proto.render = function (this: unknown, ...args: unknown[]) {
    return withRenderBudget(() => render.apply(this, args));
  };
  const ensureDefined = rt.ensureDefined;
  rt.ensureDefined = (val: unknown, lineno: unknown, colno: unknown) => {
    // Jinja prints None for None; only a truly undefined value is an error.
    if (val === null) return 'None';
    return ensureDefined(val, lineno, colno);
  };
}

export function createEnvironment(): nunjucks.Environment {
  patchRuntime();
  const env = new nunjucks.Environment(null, {
    autoescape: false,
    throwOnUndefined: true,
    trimBlocks: false,
    lstripBlocks: false,
    // keep the TemplateError (with lineno and cause) instead of a bare Error
    dev: true,
  } as nunjucks.ConfigureOptions);
  installJinjaCompat(env);
  return env;
}

interface NunjucksInternals {
  asyncFilters: string[];
  extensionsList: unknown[];
  opts: object;
}

interface NunjucksCompiler {
  compile(src: string, asyncFilters: string[], extensions: unknown[], name: string, opts: object): string;
}

/**
 * Compiles a template once (syntax errors surface here, with their line).
 * With a cache, nunjucks' generated code is reused when the text is unchanged.
 */
export function compileTemplate(env: nunjucks.Environment, source: string, path: string, cache?: TemplateCodeCache): nunjucks.Template {
  if (!cache) return new nunjucks.Template(preprocessJinja(source), env, path, true);
  const props = new Function(generateCode(env, source, path, cache))() as object;
  return templateFromProps(env, props, path);
}

/** nunjucks' JavaScript for a template (from the cache when the text is unchanged). Throws on syntax errors. */
export function generateCode(env: nunjucks.Environment, source: string, path: string, cache: TemplateCodeCache): string {
  const key = cache.key(source, path);
  let code = cache.get(key);
  if (code === undefined) {
    const internals = env as unknown as NunjucksInternals;
    code = (nunjucks as unknown as { compiler: NunjucksCompiler }).compiler.compile(preprocessJinja(source), internals.asyncFilters, internals.extensionsList, path, internals.opts);
    cache.set(key, code);
  }
  return code;
}

export function templateFromProps(env: nunjucks.Environment, props: object, path: string): nunjucks.Template {
  return new nunjucks.Template({ type: 'code', obj: props } as unknown as string, env, path, true);
}
