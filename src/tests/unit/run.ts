import type { Column, Dialect } from '../../adapters/types.js';
import type { ModelNode, UnitTestNode } from '../../compiler/nodes.js';
import { prependCtes } from '../../compiler/ephemeral.js';
import type { MaterializeContext } from '../../materializations/context.js';
import type { TestOutcome } from '../run-test.js';
import { columnsOfThis } from './this-columns.js';

/** A value as a SQL literal; strings are quoted, never spliced raw. */
function literal(v: unknown, d: Dialect): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return d.quoteString(v.toISOString());
  if (typeof v === 'object') return d.quoteString(JSON.stringify(v));
  return d.quoteString(String(v));
}

/**
 * One given input as a CTE body. With the real input's column types known,
 * every column is cast to its type (and missing columns are null); otherwise
 * the literals' own types are used.
 */
export function inputCte(rows: Array<Record<string, unknown>>, columns: string[], types: Column[] | undefined, d: Dialect, quoted: string[] = []): string {
  const exact = new Set(quoted.map((c) => c.toLowerCase()));
  const q = (c: string) => (exact.has(c.toLowerCase()) ? d.quoteExactly(c) : d.quoteIdentifier(c));
  const cols = types?.length ? types.map((t) => t.name) : columns;
  const typeOf = new Map((types ?? []).map((t) => [t.name.toLowerCase(), t.dataType]));
  const pick = (r: Record<string, unknown>, c: string) => {
    const key = Object.keys(r).find((k) => k.toLowerCase() === c.toLowerCase());
    return key === undefined ? null : r[key];
  };
  const cast = (expr: string, c: string) => (typeOf.has(c.toLowerCase()) ? `cast(${expr} as ${typeOf.get(c.toLowerCase())})` : expr);
  if (!rows.length) return `select ${cols.map((c) => `${cast('null', c)} as ${q(c)}`).join(', ')} where false`;
  const values = rows.map((r) => `(${cols.map((c) => literal(pick(r, c), d)).join(', ')})`).join(',\n    ');
  return `select ${cols.map((c) => `${cast(q(c), c)} as ${q(c)}`).join(', ')}\n  from (values\n    ${values}\n  ) as tsql_given(${cols.map(q).join(', ')})`;
}

/** Canonical text of a cell so that 12.50 = 12.5, a date equals '2024-01-01', true = 'true'. */
function canon(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('T', ' ').replace(/\.000Z$|Z$/, '');
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return String(v);
  const s = String(v).trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return String(Number(s));
  if (/^(true|false)$/i.test(s)) return s.toLowerCase();
  return s;
}

function rowKey(r: Record<string, unknown>, columns: string[]): string {
  return JSON.stringify(columns.map((c) => canon(r[Object.keys(r).find((k) => k.toLowerCase() === c.toLowerCase()) ?? c])));
}

function show(r: Record<string, unknown>, columns: string[]): string {
  return `{${columns.map((c) => `${c}: ${canon(r[Object.keys(r).find((k) => k.toLowerCase() === c.toLowerCase()) ?? c])}`).join(', ')}}`;
}

/** Multiset comparison on the expected columns; the diff lists missing (-) and unexpected (+) rows. */
export function compareRows(expected: Array<Record<string, unknown>>, actual: Array<Record<string, unknown>>, columns: string[]): { failures: number; diff: string[] } {
  const want = new Map<string, { row: Record<string, unknown>; n: number }>();
  for (const r of expected) {
    const k = rowKey(r, columns);
    const e = want.get(k);
    if (e) e.n++;
    else want.set(k, { row: r, n: 1 });
  }
  const extra: Array<Record<string, unknown>> = [];
  for (const r of actual) {
    const e = want.get(rowKey(r, columns));
    if (e && e.n > 0) e.n--;
    else extra.push(r);
  }
  const missing = [...want.values()].flatMap((e) => Array.from({ length: e.n }, () => e.row));
  const diff = [...missing.slice(0, 10).map((r) => `- ${show(r, columns)}`), ...extra.slice(0, 10).map((r) => `+ ${show(r, columns)}`)];
  const hidden = missing.length + extra.length - diff.length;
  if (hidden > 0) diff.push(`… and ${hidden} more`);
  return { failures: missing.length + extra.length, diff };
}

/**
 * The types of the rows given for `this` while the model's table does not exist; where
 * they cannot be known, a warning at the unit test's YAML line (the rows keep their
 * literals' types, which may not compare with the model's columns as the table's would).
 */
async function typesOfThis(ctx: MaterializeContext, node: UnitTestNode, model: ModelNode): Promise<Column[] | undefined> {
  const shape = await columnsOfThis(ctx, model);
  if ('columns' in shape) return shape.columns;
  ctx.warn?.(
    `${node.originalFilePath}:${node.line ?? '?'}: unit test '${node.name}': the rows given for this keep their literals' types: model '${model.name}' has no table yet and ${shape.unknown}. ` +
      `Declare a contract on '${model.name}' (contract: {enforced: true} and a data_type on each column), or build its parents first (tsql run --select +${model.name} --exclude ${model.name})`,
  );
  return undefined;
}

/**
 * Runs a unit test: the model's SQL over literal inputs, compared with the expected rows.
 * `model` is the model under test: it types the rows given for `this` while its table does not exist.
 */
export async function runUnitTest(ctx: MaterializeContext, node: UnitTestNode, model?: ModelNode): Promise<TestOutcome> {
  const d = ctx.dialect;
  const ctes: Array<{ name: string; sql: string }> = [];
  for (const g of node.given) {
    const exists = g.relation ? ctx.existing(g.relation) : undefined;
    const types = g.relation && exists ? await ctx.columns(g.relation) : g.kind === 'this' && model ? await typesOfThis(ctx, node, model) : undefined;
    if (!g.rows.length && !types?.length && !g.columns.length) {
      throw new Error(`unit test ${node.name}: input ${g.input} has no rows and its relation does not exist yet, so its columns are unknown; give at least one row`);
    }
    if (types?.length) {
      const known = new Set(types.map((t) => t.name.toLowerCase()));
      const unknown = g.columns.filter((c) => !known.has(c.toLowerCase()));
      if (unknown.length) throw new Error(`unit test ${node.name}: given rows for ${g.input} have column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}, which the input does not have (it has ${types.map((t) => t.name).join(', ')})`);
    }
    ctes.push({ name: g.cte, sql: `  ${inputCte(g.rows, g.columns, types, d, g.quoted)}` });
  }
  const sql = prependCtes(node.compiledCode, ctes);
  ctx.record(sql);
  const actual = await ctx.query(sql);
  const columns = node.expect.columns.length ? node.expect.columns : Object.keys(actual[0] ?? {});
  const { failures, diff } = compareRows(node.expect.rows, actual, columns);
  if (!failures) return { status: 'pass', failures: 0, message: 'PASS' };
  return { status: 'fail', failures, message: `actual differs from expected (- expected, + actual): ${diff.join('; ')}` };
}
