import type { Dialect, Relation } from '../adapters/types.js';
import { allowTemplateClass } from './jinja/sandbox.js';

/**
 * What `ref()`, `source()` and `this` return in templates: renders as the quoted
 * relation name and exposes dbt's attributes (database, schema, identifier, name).
 */
export class TemplateRelation {
  readonly database: string | undefined;
  readonly schema: string;
  readonly identifier: string;
  readonly type: string | undefined;
  /** Rendering override (ephemeral models render as their CTE name). */
  private readonly rendered: string;
  /** What the relation prints as when read through a microbatch window; `render()` still gives the relation itself. */
  private readonly filtered: string | undefined;

  constructor(rel: Relation, dialect: Dialect, opts: { type?: string; renderAs?: string; filteredAs?: string } = {}) {
    this.database = rel.database;
    this.schema = rel.schema;
    this.identifier = rel.identifier;
    this.type = opts.type;
    this.rendered = opts.renderAs ?? dialect.renderRelation(rel);
    this.filtered = opts.filteredAs;
  }

  get name(): string {
    return this.identifier;
  }

  get table(): string {
    return this.identifier;
  }

  get is_table(): boolean {
    return this.type === 'table';
  }

  get is_view(): boolean {
    return this.type === 'view';
  }

  render(): string {
    return this.rendered;
  }

  toString(): string {
    return this.filtered ?? this.rendered;
  }
}

allowTemplateClass(TemplateRelation);
