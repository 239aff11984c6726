import type nunjucks from 'nunjucks';
import { UserError } from '../errors.js';
import { compileTemplate } from './environment.js';
import { withRenderBudget, renderInProgress } from './jinja/render-budget.js';
import { collectPrivateMacros } from './jinja/runtime-helpers.js';
import { isStackOverflow, templateError } from './render-error.js';
import type { TemplateCodeCache } from './template-cache.js';

export interface MacroEntry {
  name: string;
  file: string;
  builtin: boolean;
  /** the installed package that defines it (undefined: the project or tsql) */
  pkg?: string;
  fn: (...args: unknown[]) => unknown;
}

/**
 * `{% test name(model, column_name) %}` is dbt's syntax for generic tests; it is a
 * macro named `test_<name>`. Rewritten in place so line numbers stay the same.
 */
export function rewriteTestBlocks(source: string): string {
  return source
    .replace(/\{%(-?)\s*test\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/g, '{%$1 macro test_$2(')
    .replace(/\{%(-?)\s*endtest\s*(-?)%\}/g, '{%$1 endmacro $2%}');
}

/** Every macro of the project (and tsql's built-ins), callable from any template without import. */
export class MacroRegistry {
  private readonly macros = new Map<string, MacroEntry>();
  private readonly builtins = new Set<string>();
  /** tsql's own macros, also when the project overrides one (the `dbt` namespace of dispatch) */
  private readonly builtinEntries = new Map<string, MacroEntry>();
  /** each installed package's macros (see package-macros.ts) */
  readonly packages = new Map<string, Map<string, MacroEntry>>();

  constructor(
    private readonly env: nunjucks.Environment,
    private readonly cache?: TemplateCodeCache,
  ) {}

  /** Compiles a macro file and registers its macros as globals. Returns errors instead of throwing. */
  loadFile(text: string, file: string, builtin: boolean, pkg?: string): UserError[] {
    let exported: Record<string, unknown> = {};
    try {
      const tmpl = compileTemplate(this.env, rewriteTestBlocks(text), file, this.cache);
      let failure: unknown;
      const { privateMacros } = collectPrivateMacros(() =>
        (tmpl as unknown as { getExported(ctx: object, cb: (err: unknown, res: Record<string, unknown>) => void): void }).getExported({}, (err, res) => {
          failure = err;
          exported = res ?? {};
        }),
      );
      if (failure) throw failure;
      // dbt loads `_name` macros too (nunjucks leaves them out of a file's exports)
      exported = { ...exported, ...privateMacros };
    } catch (e) {
      return [templateError(e, file)];
    }
    const errors: UserError[] = [];
    for (const [name, fn] of Object.entries(exported)) {
      if (typeof fn !== 'function') continue;
      if (pkg) {
        errors.push(...this.addPackageMacro(pkg, { name, file, builtin: false, pkg, fn: guardMacro(fn as MacroEntry['fn'], name, file, text) }, lineOfMacro(text, name)));
        continue;
      }
      const prev = this.macros.get(name);
      if (prev && !prev.builtin && !builtin) {
        errors.push(new UserError(`macro '${name}' is defined twice (also in ${prev.file})`, { file, line: lineOfMacro(text, name) }, { hint: 'macro names must be unique in a project' }));
        continue;
      }
      if (builtin) this.builtins.add(name);
      if (prev && !prev.builtin && builtin) continue;
      const entry: MacroEntry = { name, file, builtin, fn: guardMacro(fn as MacroEntry['fn'], name, file, text) };
      this.macros.set(name, entry);
      if (builtin) this.builtinEntries.set(name, entry);
      this.env.addGlobal(name, entry.fn);
    }
    return errors;
  }

  /**
   * A package's macro joins the package's namespace (`pkg.name`); it is also
   * callable unqualified (as the package's own templates call it) unless the
   * project or tsql defines that name, which wins.
   */
  private addPackageMacro(pkg: string, entry: MacroEntry, line: number | undefined): UserError[] {
    let ns = this.packages.get(pkg);
    if (!ns) this.packages.set(pkg, (ns = new Map()));
    const prev = ns.get(entry.name);
    if (prev) return [new UserError(`macro '${entry.name}' is defined twice in package '${pkg}' (also in ${prev.file})`, { file: entry.file, line })];
    ns.set(entry.name, entry);
    if (!this.macros.has(entry.name)) {
      this.macros.set(entry.name, entry);
      this.env.addGlobal(entry.name, entry.fn);
    }
    return [];
  }

  /** The implementation of `name` in one namespace: the project (`root`), tsql's built-ins (`builtin`) or a package. */
  dispatchIn(where: { root: true } | { builtin: true } | { pkg: string }, name: string, engines: string[]): MacroEntry | undefined {
    const lookup = (n: string): MacroEntry | undefined => {
      if ('root' in where) {
        const m = this.macros.get(n);
        return m && !m.builtin && !m.pkg ? m : undefined;
      }
      if ('builtin' in where) return this.builtinEntries.get(n);
      return this.packages.get(where.pkg)?.get(n);
    };
    for (const engine of engines) {
      const m = lookup(`${engine}__${name}`);
      if (m) return m;
    }
    return lookup(`default__${name}`);
  }

  get(name: string): MacroEntry | undefined {
    return this.macros.get(name);
  }

  /** True when the project (not tsql) defines one of these names. */
  overridesAny(names: string[]): boolean {
    return names.some((n) => {
      const m = this.macros.get(n);
      return m !== undefined && !m.builtin;
    });
  }

  names(): string[] {
    return [...this.macros.keys()];
  }

  /** Names tsql itself defines, whether or not the project overrides them. */
  builtinNames(): ReadonlySet<string> {
    return this.builtins;
  }

  entries(): MacroEntry[] {
    return [...this.macros.values()];
  }

  /** adapter.dispatch: `<engine>__name`, then each parent engine's, then `default__name`, then `name`. */
  dispatch(name: string, engines: string[]): MacroEntry | undefined {
    for (const engine of engines) {
      const m = this.macros.get(`${engine}__${name}`);
      if (m) return m;
    }
    return this.macros.get(`default__${name}`);
  }
}

/**
 * A macro as templates and the compiler call it: deep recursion is an error naming the
 * macro and its file, and a call from outside any render (generic tests, naming macros)
 * gets its own render budget.
 */
function guardMacro(fn: MacroEntry['fn'], name: string, file: string, source: string): MacroEntry['fn'] {
  const line = lineOfMacro(source, name);
  return function (this: unknown, ...args: unknown[]) {
    try {
      return renderInProgress() ? fn.apply(this, args) : withRenderBudget(() => fn.apply(this, args));
    } catch (e) {
      if (e instanceof UserError && !e.place.file && /^macro '([A-Za-z_][A-Za-z0-9_]*)' recursed too deeply$/.test(e.message)) {
        const inner = /^macro '([A-Za-z_][A-Za-z0-9_]*)'/.exec(e.message)![1];
        const where = lineOfMacro(source, inner);
        throw new UserError(e.message, { file, line: where ?? line }, { hint: e.hint });
      }
      if (isStackOverflow(e)) throw new UserError(`macro '${name}' recursed too deeply`, { file, line }, { hint: 'a macro that calls itself needs a case that stops' });
      throw e;
    }
  };
}

/** Where `{% macro name(…) %}` (or `{% test name(…) %}`) starts in a file's `text`: its offset and line. */
export function macroDefinition(text: string, name: string): { offset: number; line: number } | undefined {
  const offset = text.search(new RegExp(`\\{%-?\\s*(macro|test)\\s+${name}\\b`));
  if (offset < 0) return undefined;
  return { offset, line: text.slice(0, offset).split('\n').length };
}

function lineOfMacro(text: string, name: string): number | undefined {
  return macroDefinition(text, name)?.line;
}
