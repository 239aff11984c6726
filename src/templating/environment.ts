import nunjucks from 'nunjucks';
import { installJinjaCompat, preprocessJinja } from './jinja-compat.js';
import type { TemplateCode, TemplateCodeCache } from './template-cache.js';
import { compileLifted, type CompileSettings } from './jinja/compile-entry.js';
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

/**
 * Compiles a template once (syntax errors surface here, with their line). With a cache, its
 * code is reused when the text is unchanged, and one compiled function serves every template
 * of the same shape (see template-cache.ts).
 */
export function compileTemplate(env: nunjucks.Environment, source: string, path: string, cache?: TemplateCodeCache): nunjucks.Template {
  if (!cache) return new nunjucks.Template(preprocessJinja(source), env, path, true);
  return templateFromProps(env, cache.instantiate(generateCode(env, source, path, cache)), path);
}

/** A template's code (from the cache when the text is unchanged): its shape and constants. Throws on syntax errors. */
export function generateCode(env: nunjucks.Environment, source: string, path: string, cache: TemplateCodeCache): TemplateCode {
  const key = cache.key(source, path);
  let code = cache.get(key);
  if (code === undefined) {
    code = compileLifted(preprocessJinja(source), path, env as unknown as CompileSettings);
    cache.set(key, code);
  }
  return code;
}

export function templateFromProps(env: nunjucks.Environment, props: object, path: string): nunjucks.Template {
  return new nunjucks.Template({ type: 'code', obj: props } as unknown as string, env, path, true);
}
