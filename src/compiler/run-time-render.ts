/**
 * Rendering at run time. A model whose SQL depends on queries (run_query,
 * statement, get_columns_in_relation, `execute`…) is compiled with `execute`
 * false, marked in the manifest (`render_at_run_time`), and rendered again when
 * the DAG reaches it, so its queries see the parents this run has just built.
 *
 * The renderer is synchronous and queries are not: each attempt renders until
 * the template asks a question with no known answer (a NeedQuery), the question
 * is answered on the node's connection, and the template is rendered again
 * with every known answer replayed in order (replay.ts). Statements therefore
 * run exactly once, in the order the template issues them.
 */
import { WarehouseError, formatPlace, type SourcePlace } from '../errors.js';
import type { CodeMap } from './line-map.js';
import type { HookPlace } from './package-scope.js';
import type { BatchContext } from '../run-date/batches.js';
import { ReplayLog, findNeedQuery, type IntrospectionAnswer, type IntrospectionRequest } from '../templating/introspection/replay.js';

export type RenderTarget =
  /** a model's select; with `batch`, one batch of a microbatch model */
  | { kind: 'model'; id: string; batch?: BatchContext }
  /** a data test (singular or generic) */
  | { kind: 'test'; id: string }
  | { kind: 'model-hooks'; id: string; which: 'pre_hook' | 'post_hook' }
  /** `runEnd`: on-run-end's `results`, `schemas` and `database_schemas` (see execution/run-end-context.ts) */
  | { kind: 'project-hook'; which: 'on-run-start' | 'on-run-end'; index: number; runEnd?: Record<string, unknown> }
  | { kind: 'operation'; macro: string; args: Record<string, unknown> };

export interface RenderOutput {
  /** the SQL (a model's select, a hook's statement, an operation's output) */
  sql: string;
  /** a model's or test's select: where its text came from (see line-map.ts) */
  sourceMap?: CodeMap;
  /** a model's pre- or post-hooks */
  hooks?: string[];
  /** `log(…, info=True)` output */
  logs: string[];
  warnings: string[];
}

/** Answers a template's questions on a warehouse connection. */
export type Answerer = (request: IntrospectionRequest) => Promise<IntrospectionAnswer>;

/** A query the template issued that the warehouse refused: the node's error, with the template's place. */
export class IntrospectionQueryError extends WarehouseError {
  constructor(
    message: string,
    readonly place: SourcePlace,
  ) {
    super(`${formatPlace(place) ? formatPlace(place) + ': ' : ''}${message}`);
    this.name = 'IntrospectionQueryError';
  }
}

/** The most questions one render may ask (a template asking without end is stopped). */
const MAX_QUESTIONS = 10_000;

export class RunTimeRenderer {
  constructor(
    private readonly attempt: (target: RenderTarget, log: ReplayLog) => RenderOutput,
    private readonly projectHooks: ReadonlySet<'on-run-start' | 'on-run-end'>,
    private readonly projectHookPlaces: (which: 'on-run-start' | 'on-run-end') => HookPlace[],
    /** the macros an operation can call: name, file, and whether tsql defines it */
    readonly macros: () => Array<{ name: string; file: string; builtin: boolean }>,
  ) {}

  /**
   * A renderer for a compile read back from the compile cache (compile-cache.ts), which keeps
   * only compiles with nothing to render at run time: should it be asked all the same (an
   * operation's macros), the project is compiled then, by `make`, and that renderer answers.
   */
  static onFirstUse(make: () => RunTimeRenderer): RunTimeRenderer {
    let made: RunTimeRenderer | undefined;
    const renderer = () => (made ??= make());
    return new RunTimeRenderer(
      (target, log) => renderer().attempt(target, log),
      new Set(),
      () => [],
      () => renderer().macros(),
    );
  }

  /**
   * Where the project's on-run-start / on-run-end hooks are written, when they are
   * rendered as they run, each just before it runs (undefined: they were rendered at compile time).
   */
  hooksAtRunTime(which: 'on-run-start' | 'on-run-end'): HookPlace[] | undefined {
    return this.projectHooks.has(which) ? this.projectHookPlaces(which) : undefined;
  }

  /** Renders `target` with `execute` true, answering its questions with `answer`, until it completes. */
  async render(target: RenderTarget, answer: Answerer): Promise<RenderOutput & { questions: number }> {
    const log = new ReplayLog();
    for (;;) {
      let out: RenderOutput;
      try {
        out = this.attempt(target, log);
      } catch (e) {
        const need = findNeedQuery(e);
        if (!need) throw e;
        if (log.size >= MAX_QUESTIONS) throw new IntrospectionQueryError(`the template asked more than ${MAX_QUESTIONS} queries`, need.place);
        let a: IntrospectionAnswer;
        try {
          a = await answer(need.request);
        } catch (err) {
          const what = need.request.kind === 'query' ? 'query' : need.request.kind === 'columns' ? 'get_columns_in_relation' : 'list_relations_without_caching';
          throw new IntrospectionQueryError(`${what} failed: ${firstLine(err)}`, need.place);
        }
        log.record(need.request, a);
        continue;
      }
      return { ...out, questions: log.size };
    }
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 2)
    .join(' ');
}
