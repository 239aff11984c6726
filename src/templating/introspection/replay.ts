/**
 * Queries from a synchronous renderer. Rendering (nunjucks) cannot wait for the
 * warehouse, so a template that asks for a query whose answer is not known yet
 * aborts its render with a `NeedQuery` signal carrying the request. The caller
 * runs the query, records the answer in the `ReplayLog`, and renders again: known
 * answers are replayed in call order, so every statement runs exactly once, and
 * the render completes when every question it asks has an answer.
 */
import type { CatalogEntry, Column, Relation } from '../../adapters/types.js';
import type { SourcePlace } from '../../errors.js';

export type IntrospectionRequest =
  | { kind: 'query'; sql: string; fetch: boolean }
  | { kind: 'columns'; relation: Relation }
  | { kind: 'relations'; database?: string; schema: string };

export type IntrospectionAnswer =
  | { kind: 'query'; rows: Record<string, unknown>[]; rowsAffected?: number; message: string }
  | { kind: 'columns'; columns: Column[] }
  | { kind: 'relations'; relations: CatalogEntry[] };

/** Thrown through the template to ask for a query; `place` is where it was asked (set by the renderer). */
export class NeedQuery extends Error {
  place: SourcePlace = {};
  constructor(readonly request: IntrospectionRequest) {
    super('a query is needed before rendering can go on');
    this.name = 'NeedQuery';
  }
}

/** The NeedQuery signal inside whatever nunjucks wrapped it in. */
export function findNeedQuery(e: unknown): NeedQuery | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 10 && cur; i++) {
    if (cur instanceof NeedQuery) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function keyOf(r: IntrospectionRequest): string {
  return JSON.stringify(r);
}

/** The answers one render has received, in the order it asked. */
export class ReplayLog {
  private readonly entries: Array<{ key: string; answer: IntrospectionAnswer }> = [];
  private cursor = 0;

  /** Called before each render attempt. */
  rewind(): void {
    this.cursor = 0;
  }

  get size(): number {
    return this.entries.length;
  }

  /** The answer to the next question, when known; otherwise the render stops to ask it. */
  answer(request: IntrospectionRequest): IntrospectionAnswer {
    const key = keyOf(request);
    const known = this.entries[this.cursor];
    if (known) {
      if (known.key !== key) {
        throw new Error('the template asked different questions when it was rendered again (does it depend on something other than the query results?)');
      }
      this.cursor++;
      return known.answer;
    }
    throw new NeedQuery(request);
  }

  record(request: IntrospectionRequest, answer: IntrospectionAnswer): void {
    this.entries.push({ key: keyOf(request), answer });
  }
}
