/**
 * What a compile's templates read beyond the project's files, the options and the target: the
 * environment variables (`env_var()`), and whether they read anything that differs from one
 * invocation to the next (`run_started_at`, `invocation_id`, the clock through
 * `modules.datetime`, the `random` filter, the command: `flags.WHICH`, `invocation_args_dict`); and when its warnings next change with the date
 * (a model's `deprecation_date`). The compile cache (compile-cache.ts) reuses a
 * compile only when none of the latter was read, and when every environment variable still has
 * the value it had.
 */
import type nunjucks from 'nunjucks';

export interface RenderInputs {
  /** each environment variable a template read, with its value then (null: it was not set) */
  env: Array<[string, string | null]>;
  /** what keeps the compile from being reused, when something does: the first value read that changes with every invocation (`models/x.sql reads run_started_at`) */
  volatile?: string;
  /** when the compile's output next changes with the clock alone (ms; a model's deprecation date passing) */
  until?: number;
}

export class RenderInputLog {
  /** `where`: the file of the template being rendered, to say which one read a per-invocation value */
  constructor(private readonly where: () => string | undefined) {}

  private readonly env = new Map<string, string | null>();
  private volatile: string | undefined;
  private until: number | undefined;

  /** Reads an environment variable for a template, noting its value. */
  envVar(name: string): string | undefined {
    const v = process.env[name];
    if (!this.env.has(name)) this.env.set(name, v ?? null);
    return v;
  }

  /** A template read `what`, whose value is this invocation's own. */
  markVolatile(what: string): void {
    if (this.volatile) return;
    const file = this.where();
    this.volatile = `${file ?? 'a template'} reads ${what}`;
  }

  /**
   * Makes `globals[name]` a getter that notes, when a template reads it, that it is this
   * invocation's own (the value itself is unchanged).
   */
  volatileGlobal(env: nunjucks.Environment, name: string, value: unknown): void {
    this.volatileProperty((env as unknown as { globals: Record<string, unknown> }).globals, name, value, name);
  }

  /** The same for a filter: `random` picks differently each time. */
  volatileFilter(env: nunjucks.Environment, name: string): void {
    const filter = env.getFilter(name) as (...args: unknown[]) => unknown;
    env.addFilter(name, (...args: unknown[]) => {
      this.markVolatile(`the ${name} filter`);
      return filter(...args);
    });
  }

  /** `modules` with its `datetime` (the clock: `datetime.now()`, `date.today()`) noted when read. */
  modules(modules: Record<string, unknown>, clocks: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(modules)) {
      if (clocks.includes(k)) this.volatileProperty(out, k, v, `modules.${k}`);
      else out[k] = v;
    }
    return out;
  }

  /** `obj[key]` as a getter of `value` that marks the compile volatile (`what` was read): `flags.WHICH`, the command. */
  volatileProperty(obj: Record<string, unknown>, key: string, value: unknown, what: string): void {
    Object.defineProperty(obj, key, {
      configurable: true,
      enumerable: true,
      get: () => {
        this.markVolatile(what);
        return value;
      },
    });
  }

  /** The compile's output changes with the clock at `at` (ms), if given. */
  validUntil(at: number | undefined): void {
    if (at !== undefined && (this.until === undefined || at < this.until)) this.until = at;
  }

  result(): RenderInputs {
    return { env: [...this.env], ...(this.volatile ? { volatile: this.volatile } : {}), ...(this.until !== undefined ? { until: this.until } : {}) };
  }
}
