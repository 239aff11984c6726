/**
 * dbt's introspection for templates: `run_query`, `{% call statement(...) %}`,
 * `load_result`, `store_result`, `adapter.get_columns_in_relation`,
 * `adapter.list_relations_without_caching`, `api.Relation` and `api.Column`.
 *
 * While only compiling (`execute` is false) they ask nothing: run_query and
 * load_result give None, column and relation lists are empty. Every use marks
 * the node being rendered, which is then rendered again when it runs, with
 * `execute` true and the answers from its warehouse (see replay.ts).
 */
import type { Dialect, Relation } from '../../adapters/types.js';
import { UserError } from '../../errors.js';
import { splitArgs } from '../context-helpers.js';
import { TemplateRelation } from '../relation.js';
import { queryTable, statementResult, type QueryTable } from './query-table.js';
import type { IntrospectionAnswer, IntrospectionRequest } from './replay.js';
import { numericType, stringType, TemplateColumn, translateType } from './template-column.js';

export interface IntrospectionHost {
  /** true while rendering to run (the `execute` flag) */
  executing(): boolean;
  /** the node being rendered asks the warehouse: it must be rendered again when it runs */
  mark(): void;
  /** the answer to a question (a known one, or the render stops to ask it) */
  answer(request: IntrospectionRequest): IntrospectionAnswer;
  /** `statement` results by name, for the render in progress */
  results(): Map<string, unknown>;
  /** the engine of the node being rendered */
  dialect(): Dialect;
  /** its connection's default database */
  database(): string | undefined;
}

function relationOf(v: unknown, what: string): Relation {
  if (v instanceof TemplateRelation) return { database: v.database, schema: v.schema, identifier: v.identifier };
  if (v && typeof v === 'object' && typeof (v as Record<string, unknown>).schema === 'string') {
    const o = v as Record<string, unknown>;
    return { database: o.database === undefined || o.database === null ? undefined : String(o.database), schema: String(o.schema), identifier: String(o.identifier ?? o.name ?? '') };
  }
  throw new UserError(`${what} takes a relation (ref(), source(), this or api.Relation.create(...)), got ${v === null || v === undefined ? 'None' : typeof v}`);
}

function tableOf(answer: IntrospectionAnswer): QueryTable {
  return answer.kind === 'query' ? queryTable(answer.rows) : queryTable([]);
}

/** The template functions, and the members they add to `adapter` and `api`. */
export function introspectionGlobals(host: IntrospectionHost): { globals: Record<string, unknown>; adapter: Record<string, unknown> } {
  const runStatement = (sql: string, fetch: boolean) => {
    const answer = host.answer({ kind: 'query', sql, fetch });
    if (answer.kind !== 'query') throw new Error('internal: a query was answered with something else');
    return statementResult(tableOf(answer), answer.rowsAffected, answer.message);
  };

  const statement = (...args: unknown[]) => {
    const { positional, kwargs } = splitArgs(args);
    host.mark();
    const caller = kwargs.caller;
    if (typeof caller !== 'function') throw new UserError('statement() is called with {% call statement(...) %}…{% endcall %}');
    // rendered while compiling too (and thrown away), so the refs in it are dependencies
    const sql = String(caller()).trim();
    if (!host.executing()) return '';
    const name = positional[0] ?? kwargs.name ?? null;
    const fetch = Boolean(positional[1] ?? kwargs.fetch_result ?? false);
    const result = runStatement(sql, fetch);
    if (name !== null && name !== undefined) host.results().set(String(name), result);
    return '';
  };

  const makeColumn = (...args: unknown[]) => {
    const { positional, kwargs } = splitArgs(args);
    const name = String(positional[0] ?? kwargs.column ?? kwargs.name ?? '');
    const dtype = String(positional[1] ?? kwargs.dtype ?? kwargs.data_type ?? '');
    const q = (n: string) => host.dialect().quoteIdentifier(n);
    return new TemplateColumn(name, dtype, q, { charSize: positional[2] ?? kwargs.char_size, precision: positional[3] ?? kwargs.numeric_precision, scale: positional[4] ?? kwargs.numeric_scale });
  };
  // dbt's class methods of api.Column
  Object.assign(makeColumn, {
    create: (name: unknown, labelOrDtype: unknown) => makeColumn(name, translateType(labelOrDtype)),
    from_description: (name: unknown, rawDataType: unknown) => makeColumn(name, rawDataType),
    translate_type: translateType,
    string_type: stringType,
    numeric_type: numericType,
  });

  const globals: Record<string, unknown> = {
    run_query: (sql: unknown) => {
      host.mark();
      if (!host.executing()) return null;
      return runStatement(String(sql).trim(), true).table;
    },
    statement,
    load_result: (name: unknown) => {
      host.mark();
      return host.results().get(String(name)) ?? null;
    },
    store_result: (...args: unknown[]) => {
      const { positional, kwargs } = splitArgs(args);
      host.mark();
      const name = String(positional[0] ?? kwargs.name);
      const table = (positional[2] ?? kwargs.agate_table ?? queryTable([])) as QueryTable;
      const response = positional[1] ?? kwargs.response ?? null;
      host.results().set(name, { response, data: Array.isArray(table) ? table.map((r) => [...r]) : [], table });
      return '';
    },
    api: {
      Relation: {
        create: (...args: unknown[]) => {
          const { kwargs } = splitArgs(args);
          const rel: Relation = { database: kwargs.database === undefined || kwargs.database === null ? host.database() : String(kwargs.database), schema: String(kwargs.schema ?? ''), identifier: String(kwargs.identifier ?? '') };
          return new TemplateRelation(rel, host.dialect(), { type: kwargs.type === undefined || kwargs.type === null ? undefined : String(kwargs.type) });
        },
      },
      Column: makeColumn,
    },
  };

  const adapter: Record<string, unknown> = {
    get_columns_in_relation: (rel: unknown) => {
      host.mark();
      if (!host.executing()) return [];
      const relation = relationOf(rel, 'adapter.get_columns_in_relation()');
      const answer = host.answer({ kind: 'columns', relation: { ...relation, database: relation.database ?? host.database() } });
      const q = (n: string) => host.dialect().quoteIdentifier(n);
      return answer.kind === 'columns' ? answer.columns.map((c) => new TemplateColumn(c.name, c.dataType, q)) : [];
    },
    list_relations_without_caching: (schemaRelation: unknown) => {
      host.mark();
      if (!host.executing()) return [];
      const r = relationOf(schemaRelation, 'adapter.list_relations_without_caching()');
      const answer = host.answer({ kind: 'relations', database: r.database ?? host.database(), schema: r.schema });
      if (answer.kind !== 'relations') return [];
      return answer.relations.map((e) => new TemplateRelation(e, host.dialect(), { type: e.kind }));
    },
    execute: (...args: unknown[]) => {
      const { positional, kwargs } = splitArgs(args);
      host.mark();
      if (!host.executing()) return [null, queryTable([])];
      const result = runStatement(String(positional[0] ?? kwargs.sql).trim(), Boolean(positional[2] ?? kwargs.fetch ?? false));
      return [result.response, result.table];
    },
  };
  return { globals, adapter };
}
