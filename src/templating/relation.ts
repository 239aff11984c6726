import type { Dialect, Relation } from '../adapters/types.js';
import { bindArgs } from './jinja/python-args.js';
import { allowTemplateClass } from './jinja/sandbox.js';
import { MAPPING_LIKE, pyTruthy } from './jinja/python-values.js';

/** The attributes `relation.get(name)` and `relation[name]` read, as dbt's Relation (a mapping of its fields) has them. */
const FIELDS = new Set(['database', 'schema', 'identifier', 'name', 'table', 'type', 'path', 'metadata', 'is_table', 'is_view', 'is_cte', 'is_materialized_view']);

/**
 * What `ref()`, `source()` and `this` return in templates: renders as the quoted
 * relation name and exposes dbt's attributes (database, schema, identifier, name) and
 * methods (`include`, `incorporate`, `quote`, `get`). Like dbt's Relation it is a
 * mapping (`relation is mapping`, `relation.get('metadata').type`).
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
  private readonly dialect: Dialect;

  constructor(rel: Relation, dialect: Dialect, opts: { type?: string; renderAs?: string; filteredAs?: string } = {}) {
    this.database = rel.database;
    this.schema = rel.schema;
    this.identifier = rel.identifier;
    this.type = opts.type;
    this.dialect = dialect;
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

  /** An ephemeral model: a CTE, not a relation of the warehouse. */
  get is_cte(): boolean {
    return this.type === 'cte';
  }

  get is_materialized_view(): boolean {
    return this.type === 'materialized_view' || this.type === 'materializedview';
  }

  get path(): Record<string, string | null> {
    return { database: this.database ?? null, schema: this.schema, identifier: this.identifier };
  }

  /** dbt's serialized relations carry their class name here; packages test it (`...type.endswith('Relation')`). */
  get metadata(): Record<string, string> {
    return { type: 'BaseRelation' };
  }

  /** `relation.get('schema')`: a field, or the default (dbt's Relation is a mapping of its fields). */
  get(...raw: unknown[]): unknown {
    const { key, default: dflt } = bindArgs('get', raw, ['key', 'default'], { default: null });
    if (typeof key !== 'string' || !FIELDS.has(key)) return dflt;
    const v = (this as unknown as Record<string, unknown>)[key];
    return v === undefined ? null : v;
  }

  /** `relation.include(database=false)`: the same relation, rendered without the parts set to false. */
  include(...raw: unknown[]): TemplateRelation {
    const a = bindArgs('include', raw, ['database', 'schema', 'identifier'], { database: null, schema: null, identifier: null });
    const keep = (v: unknown) => v === null || v === undefined || pyTruthy(v);
    const rel: Relation = {
      database: keep(a.database) ? this.database : undefined,
      schema: keep(a.schema) ? this.schema : '',
      identifier: keep(a.identifier) ? this.identifier : '',
    };
    return new TemplateRelation(rel, this.dialect, { type: this.type, renderAs: this.is_cte ? this.rendered : undefined });
  }

  /** `relation.incorporate(path={'identifier': 'x'}, type='view')`: a copy with those fields changed. */
  incorporate(...raw: unknown[]): TemplateRelation {
    const a = bindArgs('incorporate', raw, ['path', 'type'], { path: null, type: null });
    const path = (a.path ?? {}) as Record<string, unknown>;
    const str = (v: unknown, dflt: string | undefined) => (v === undefined ? dflt : v === null ? undefined : String(v));
    const rel: Relation = {
      database: str(path.database, this.database),
      schema: str(path.schema, this.schema) ?? '',
      identifier: str(path.identifier, this.identifier) ?? '',
    };
    return new TemplateRelation(rel, this.dialect, { type: a.type === null || a.type === undefined ? this.type : String(a.type) });
  }

  /** dbt's per-part quoting switch; tsql always renders relations quoted, so this returns the relation as it is. */
  quote(): TemplateRelation {
    return this;
  }

  render(): string {
    return this.rendered;
  }

  toString(): string {
    return this.filtered ?? this.rendered;
  }
}

Object.defineProperty(TemplateRelation.prototype, MAPPING_LIKE, { value: true });
allowTemplateClass(TemplateRelation);
