import type { CteLayout } from './line-map.js';
import type { ManifestNode, ModelNode } from './nodes.js';

export function ephemeralCteName(modelName: string): string {
  return `__tsql__cte__${modelName}`;
}

interface DraftLike {
  frame: { ephemeralDeps: Set<string> };
}

/** Leading comments, then `with` (and `recursive`), if the query starts with a WITH clause. */
const LEADING_WITH = /^((?:\s*(?:--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/))*\s*)with(\s+recursive)?\s+/i;

/**
 * Inlines ephemeral models as CTEs: every ephemeral reached (transitively)
 * becomes one CTE, dependencies first, each once. A query that already
 * starts with WITH gets the CTEs spliced into its own WITH clause. `layout`, when
 * given, receives where each piece went and `inlined` the models inlined, in order.
 */
export function injectEphemeralCtes(
  sql: string,
  direct: Set<string>,
  nodes: Map<string, ManifestNode>,
  drafts: Map<string, DraftLike>,
  layout?: CteLayout & { inlined?: ModelNode[] },
): string {
  const ordered: ModelNode[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    const deps = drafts.get(id)?.frame.ephemeralDeps ?? new Set<string>();
    for (const d of deps) visit(d);
    const node = nodes.get(id);
    if (node && node.resourceType === 'model') ordered.push(node);
  };
  for (const id of direct) visit(id);
  if (!ordered.length) return sql;
  if (layout) layout.inlined = ordered;
  return prependCtes(sql, ordered.map((n) => ({ name: ephemeralCteName(n.name), sql: n.compiledCodeOwn ?? n.compiledCode })), layout);
}

/**
 * Puts CTEs (`name as (…)`) in front of a query, splicing them into its own WITH clause if
 * it has one. `layout`, when given, receives where each CTE's select and the query's own
 * text went (see line-map.ts).
 */
export function prependCtes(sql: string, ctes: Array<{ name: string; sql: string }>, layout?: CteLayout): string {
  if (!ctes.length) return sql;
  const m = LEADING_WITH.exec(sql);
  let out = m ? `${m[1]}with${m[2] ?? ''} ` : 'with ';
  const placed: CteLayout['ctes'] = [];
  ctes.forEach((c, i) => {
    out += `${i ? ',\n' : ''}${c.name} as (\n`;
    placed.push({ at: out.length, length: c.sql.length });
    out += `${c.sql}\n)`;
  });
  out += m ? ',\n' : '\n';
  if (layout) Object.assign(layout, { ctes: placed, ownAt: out.length, ownCut: m ? m[0].length : 0 });
  return out + (m ? sql.slice(m[0].length) : sql);
}
