/**
 * Typed handles on nunjucks' untyped internals (parser, compiler, nodes, lexer, runtime).
 *
 * nunjucks compiles a template to JavaScript that calls `runtime.*` directly, so the Jinja
 * semantics it lacks can only be bridged by patching these shared objects; every other
 * module of this folder reaches them through here.
 */
import nunjucks from 'nunjucks';
import { restoreFastStringPrototype } from '../../util/fast-string-prototype.js';

// loading nunjucks made String.prototype slow for the whole process: make it fast again
restoreFastStringPrototype();

// nunjucks' parser/compiler/runtime internals are untyped.
export type Any = any;
export type Dict = Record<string, unknown>;

export const nj = nunjucks as unknown as {
  runtime: Any;
  nodes: Any;
  lexer: Any;
  parser: { Parser: Any };
  compiler: { Compiler: Any };
  installJinjaCompat(): void;
};

export const runtime = nj.runtime;
export const SafeString = runtime.SafeString as new (v: string) => { val: string; length: number };

/** What filters and tests see as `this`. */
export interface FilterContext {
  env: nunjucks.Environment;
}

/** The environment's test `name` (throws if there is none). */
export function lookupTest(ctx: FilterContext, name: unknown): (...a: unknown[]) => unknown {
  return (ctx.env as unknown as { getTest(n: string): (...a: unknown[]) => unknown }).getTest(String(name));
}

/** How compiled templates reach the helpers of runtime-helpers.ts (installed as `runtime.jinjaCompat`). */
export const JC = 'runtime.jinjaCompat';
