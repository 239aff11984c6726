import type { Column, Dialect, TableConstraint } from '../adapters/types.js';
import type { ModelNode } from '../compiler/nodes.js';
import { typeSatisfies } from '../adapters/type-names.js';
import { isPlainObject } from '../project/config-merge.js';
import { sibling, withScratch, type MaterializeContext } from './context.js';

/** `contract: {enforced: true}` in the model's config. */
export function contractEnforced(node: ModelNode): boolean {
  const c = node.config.contract;
  return isPlainObject(c) && c.enforced === true;
}

/** The contract's columns, in YAML order, with their declared types (the compiler has checked each has one). */
export function contractColumns(node: ModelNode): Column[] {
  return Object.values(node.columns).map((c) => ({ name: c.name, dataType: c.dataType ?? '', ...(c.quote ? { quoted: true } : {}) }));
}

/** Column and model-level constraints as the dialect renders them. */
export function contractConstraints(node: ModelNode): TableConstraint[] {
  const out: TableConstraint[] = [];
  for (const col of Object.values(node.columns)) {
    for (const c of col.constraints ?? []) out.push({ type: c.type, name: c.name, expression: c.expression, columns: [col.name], references: c.references, toColumns: c.toColumns });
  }
  for (const c of node.constraints ?? []) out.push({ type: c.type, name: c.name, expression: c.expression, columns: c.columns ?? [], references: c.references, toColumns: c.toColumns });
  return out;
}

/**
 * The columns the model's select returns, read from the engine without
 * scanning data: an empty table made from the select with `limit 0`, described, dropped.
 */
export async function probeColumns(ctx: MaterializeContext, node: ModelNode): Promise<Column[]> {
  const d = ctx.dialect;
  const probe = sibling(node.relation, '__tsql_probe', d);
  return withScratch(ctx, probe, 'table', async () => {
    await ctx.run(d.createTableAs(probe, `select * from (\n${node.compiledCode}\n) as tsql_contract_probe limit 0`));
    return ctx.columns(probe);
  });
}

interface Mismatch {
  column: string;
  contractType: string;
  actualType: string;
  reason: string;
}

/** Missing, extra and mistyped columns of `actual` against the contract. */
export function contractMismatches(contract: Column[], actual: Column[], d: Dialect): Mismatch[] {
  const byName = new Map(actual.map((c) => [c.name.toLowerCase(), c]));
  const declared = new Set(contract.map((c) => c.name.toLowerCase()));
  const out: Mismatch[] = [];
  for (const c of contract) {
    const a = byName.get(c.name.toLowerCase());
    if (!a) out.push({ column: c.name, contractType: c.dataType, actualType: '', reason: 'missing in definition' });
    else if (!typeSatisfies(c.dataType, a.dataType, (t) => d.canonicalType(t))) out.push({ column: c.name, contractType: c.dataType, actualType: a.dataType, reason: 'data type mismatch' });
  }
  for (const a of actual) if (!declared.has(a.name.toLowerCase())) out.push({ column: a.name, contractType: '', actualType: a.dataType, reason: 'missing in contract' });
  return out;
}

/** A broken contract: its message is a table, kept whole (not cut to its first lines) in the run's summary. */
export class ContractError extends Error {
  override readonly name = 'ContractError';
}

/** Throws, with dbt's diff table, when the select's columns break the contract. */
export function assertContract(node: ModelNode, actual: Column[], d: Dialect): void {
  const diff = contractMismatches(contractColumns(node), actual, d);
  if (!diff.length) return;
  const head = ['column_name', 'definition_type', 'contract_type', 'mismatch_reason'];
  const rows = diff.map((m) => [m.column, m.actualType, m.contractType, m.reason]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const table = [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
  throw new ContractError(
    `This model has an enforced contract that failed.\nPlease ensure the name, data_type, and number of columns in your contract match the columns in your model's definition.\n\n${table}\n\n(${node.patchPath ?? node.originalFilePath}; the existing relation was left as it was)`,
  );
}
