import type { Dialect, Relation } from '../adapters/types.js';
import { UserError } from '../errors.js';
import type { ConstraintDef } from '../project/constraints.js';
import type { ManifestNode, ModelNode } from './nodes.js';
import { contractEnforced } from '../materializations/contract.js';

/**
 * Model contracts, checked before anything runs: an enforced contract needs a
 * data_type on every column and cannot be on an ephemeral model; each
 * constraint must be one the engine can declare (else an error) and one it
 * enforces (else a warning, as dbt gives, unless `warn_unenforced: false`).
 * Foreign keys' `to: ref('x')` / `source('s', 't')` are resolved to relations here.
 */
export function checkContracts(nodes: Map<string, ManifestNode>, dialectOf: (n: ModelNode) => Dialect): { errors: UserError[]; warnings: string[] } {
  const errors: UserError[] = [];
  const warnings: string[] = [];
  for (const n of nodes.values()) {
    if (n.resourceType !== 'model' || !contractEnforced(n)) continue;
    const yaml = n.patchPath ?? n.originalFilePath;
    if (n.materialized === 'ephemeral' || n.materialized === 'unload') {
      errors.push(new UserError(`model '${n.name}': a contract cannot be enforced on an ${n.materialized} model (it has no relation to check)`, { file: n.originalFilePath }, { hint: 'materialize it as a table, incremental or view, or remove contract: {enforced: true}' }));
      continue;
    }
    const columns = Object.values(n.columns);
    if (!columns.length) {
      errors.push(new UserError(`model '${n.name}' has an enforced contract but declares no columns`, { file: yaml }, { hint: 'list its columns with name and data_type in its properties file' }));
      continue;
    }
    for (const c of columns) {
      if (!c.dataType) errors.push(new UserError(`model '${n.name}': column '${c.name}' has no data_type, which an enforced contract needs`, { file: yaml, line: c.line }, { hint: 'add data_type: to the column' }));
    }
    const d = dialectOf(n);
    const all: Array<{ c: ConstraintDef; column?: string }> = [...columns.flatMap((col) => (col.constraints ?? []).map((c) => ({ c, column: col.name }))), ...(n.constraints ?? []).map((c) => ({ c }))];
    for (const { c, column } of all) {
      const place = { file: yaml, line: c.line };
      const what = `model '${n.name}': ${c.type} constraint${column ? ` on column '${column}'` : ''}`;
      if (n.materialized === 'view') {
        warnings.push(`${yaml}:${c.line ?? '?'}: ${what} is not applied: a view holds no constraints (its contract checks columns and types only)`);
        continue;
      }
      const support = d.capabilities.constraints?.[c.type];
      if (!support) {
        errors.push(new UserError(`${what} cannot be declared on ${d.type}`, place, { hint: c.type === 'check' ? 'test it instead (an expression test), or remove the constraint' : 'remove the constraint' }));
        continue;
      }
      if (support === 'informational' && c.warnUnenforced !== false) warnings.push(`${yaml}:${c.line ?? '?'}: ${what} is declared but not enforced by ${d.type} (set warn_unenforced: false to silence)`);
      if (!column && ['primary_key', 'unique', 'foreign_key', 'not_null'].includes(c.type) && !c.columns?.length) errors.push(new UserError(`${what} names no columns`, place, { hint: 'columns: [id]' }));
      if (c.type === 'check' && !c.expression) errors.push(new UserError(`${what} needs an expression`, place, { hint: "expression: 'amount >= 0'" }));
      if (c.type === 'custom' && !c.expression) errors.push(new UserError(`${what} needs an expression`, place));
      if (c.type === 'foreign_key') {
        const target = c.to ? resolveTo(c.to, nodes) : undefined;
        if (target) c.references = d.renderRelation(target);
        else if (!c.to && c.expression) c.references = c.expression;
        else errors.push(new UserError(`${what}: ${c.to ? `'${c.to}' is not a model, seed or source of this project` : 'it needs to: ref(\'model\') and to_columns'}`, place, { hint: "to: ref('customers'), to_columns: [id]" }));
      }
    }
  }
  return { errors, warnings };
}

function resolveTo(to: string, nodes: Map<string, ManifestNode>): Relation | undefined {
  const ref = /^\s*ref\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?\)\s*$/.exec(to);
  const src = /^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(to);
  for (const n of nodes.values()) {
    if (ref && (n.resourceType === 'model' || n.resourceType === 'seed') && n.name === (ref[2] ?? ref[1]) && (!ref[2] || n.packageName === ref[1])) return n.relation;
    if (src && n.resourceType === 'source' && n.sourceName === src[1] && n.name === src[2]) return n.relation;
  }
  return undefined;
}
