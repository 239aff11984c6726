/**
 * Relations read through a subquery: under `--empty` every ref() and source()
 * a model reads renders as `(select * from <relation> where false limit 0)
 * <alias>`, so the model builds with its real columns and types and no rows;
 * in a batch of a microbatch model a node with `event_time` renders as
 * `(select * from <relation> where <window>) <alias>`. The alias is the
 * relation's name, so `orders.id` still resolves; when the model gives its own
 * alias (`{{ ref('orders') }} o`, `… as o`), only the model's is kept.
 *
 * The subquery is rendered with a marker comment holding the alias; once the
 * model is rendered, `resolveSubqueryAliases` looks at what follows each marker.
 */
import type { Dialect, Relation } from '../adapters/types.js';

const MARKER = /\/\*tsql-alias:([^*]*)\*\//g;

/** `select` as a subquery standing for `rel` (before resolveSubqueryAliases). */
export function subqueryRelationSql(dialect: Dialect, rel: Relation, select: string): string {
  const alias = /^[a-z_][a-z0-9_]*$/.test(rel.identifier) ? rel.identifier : dialect.quoteIdentifier(rel.identifier);
  return `(${select})/*tsql-alias:${alias.replace(/\*\//g, '')}*/`;
}

/** What a ref or source renders as under --empty. */
export function emptyRelationSql(dialect: Dialect, rel: Relation): string {
  return subqueryRelationSql(dialect, rel, `select * from ${dialect.renderRelation(rel)} where false limit 0`);
}

/** Words that may follow a relation in FROM without being its alias. */
const NOT_AN_ALIAS = new Set(
  `where join inner left right full cross natural on using group order limit offset union except intersect having window qualify fetch lateral
   returning for into pivot unpivot sample tablesample asof positional anti semi outer select from with values set when then else end and or`.split(/\s+/),
);

/**
 * Replaces each marker with ` <alias>`, or with nothing when the model aliases the relation
 * itself. `edits`, when given, receives each replacement: its offset, the length replaced
 * and the length written (for line-map.ts).
 */
export function resolveSubqueryAliases(sql: string, edits?: number[]): string {
  if (!sql.includes('/*tsql-alias:')) return sql;
  return sql.replace(MARKER, (_m, alias: string, offset: number, whole: string) => {
    const rest = whole.slice(offset + _m.length).replace(/^(\s+|--[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '');
    const word = /^([A-Za-z_][A-Za-z0-9_$]*|"[^"]*"|`[^`]*`)/.exec(rest)?.[1];
    const out = word && (word.toLowerCase() === 'as' || !NOT_AN_ALIAS.has(word.toLowerCase())) ? '' : ` ${alias}`;
    edits?.push(offset, _m.length, out.length);
    return out;
  });
}
