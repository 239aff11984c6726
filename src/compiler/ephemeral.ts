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
 * starts with WITH gets the CTEs spliced into its own WITH clause.
 */
export function injectEphemeralCtes(
  sql: string,
  direct: Set<string>,
  nodes: Map<string, ManifestNode>,
  drafts: Map<string, DraftLike>,
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
  return prependCtes(sql, ordered.map((n) => `${ephemeralCteName(n.name)} as (\n${n.compiledCodeOwn ?? n.compiledCode}\n)`));
}

/** Puts CTEs (`name as (…)`) in front of a query, splicing them into its own WITH clause if it has one. */
export function prependCtes(sql: string, ctes: string[]): string {
  if (!ctes.length) return sql;
  const list = ctes.join(',\n');
  const m = LEADING_WITH.exec(sql);
  if (m) return `${m[1]}with${m[2] ?? ''} ${list},\n${sql.slice(m[0].length)}`;
  return `with ${list}\n${sql}`;
}
