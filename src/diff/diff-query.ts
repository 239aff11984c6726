/**
 * The one query `tsql diff` sends per model: production's relation and this
 * environment's, compared in the warehouse, answering with one row of counts.
 * Built only from dialect primitives (quoting, countWhere, distinctFrom), so
 * every engine gets it.
 *
 * With a key, both sides are joined on it (a full outer join). Rows whose key
 * is NULL, or appears more than once on its side, are counted apart and left
 * out of the join, so duplicates are reported instead of multiplying matches.
 */
import type { Dialect, Relation } from '../adapters/types.js';

/** A column as each side names it (names match case-insensitively). */
export interface PairedColumn {
  prod: string;
  pr: string;
}

export interface DiffQueryInput {
  prod: Relation;
  pr: Relation;
  /** the key's columns; empty: counts only */
  key: PairedColumn[];
  /** the columns whose values are compared (common, same type, not in the key) */
  compare: PairedColumn[];
}

/** What the query answers, as numbers. */
export interface DiffFigures {
  prodRows: number;
  prRows: number;
  /** with a key only */
  keyed?: {
    added: number;
    removed: number;
    changed: number;
    /** per compared column, in the order of `compare` */
    changedByColumn: number[];
    duplicateKeys: { prod: number; pr: number };
    duplicateKeyRows: { prod: number; pr: number };
    nullKeyRows: { prod: number; pr: number };
  };
}

export function diffQuery(d: Dialect, input: DiffQueryInput): string {
  const q = (s: string) => d.quoteIdentifier(s);
  const prod = d.renderRelation(input.prod);
  const pr = d.renderRelation(input.pr);
  if (!input.key.length) {
    return [
      'select __tsql_p.prod_rows, __tsql_c.pr_rows',
      `from (select count(*) as prod_rows from ${prod}) __tsql_p`,
      `cross join (select count(*) as pr_rows from ${pr}) __tsql_c`,
    ].join('\n');
  }
  const side = (rel: string, pick: (c: PairedColumn) => string) => {
    const keys = input.key.map((k) => q(pick(k)));
    const cols = [...input.key, ...input.compare].map((c) => q(pick(c)));
    const part = keys.join(', ');
    return [
      `  select ${cols.join(', ')},`,
      `    count(*) over (partition by ${part}) as __tsql_n,`,
      `    row_number() over (partition by ${part} order by ${part}) as __tsql_rn,`,
      `    case when ${keys.map((k) => `${k} is null`).join(' or ')} then 1 else 0 end as __tsql_nk`,
      `  from ${rel}`,
    ].join('\n');
  };
  const stats = (cte: string, prefix: string) =>
    [
      `  select count(*) as ${prefix}_rows,`,
      `    ${d.countWhere('__tsql_nk = 0 and __tsql_n > 1 and __tsql_rn = 1')} as ${prefix}_dup_keys,`,
      `    ${d.countWhere('__tsql_nk = 0 and __tsql_n > 1')} as ${prefix}_dup_rows,`,
      `    ${d.countWhere('__tsql_nk = 1')} as ${prefix}_null_key_rows`,
      `  from ${cte}`,
    ].join('\n');
  const both = 'p.__tsql_n is not null and c.__tsql_n is not null';
  const differs = input.compare.map((c) => d.distinctFrom(`p.${q(c.prod)}`, `c.${q(c.pr)}`));
  const aggregates = [
    `${d.countWhere('c.__tsql_n is null')} as removed`,
    `${d.countWhere('p.__tsql_n is null')} as added`,
    differs.length ? `${d.countWhere(`${both} and (${differs.map((x) => `(${x})`).join(' or ')})`)} as changed` : '0 as changed',
    ...differs.map((x, i) => `${d.countWhere(`${both} and (${x})`)} as changed_${i}`),
  ];
  const on = input.key.map((k) => `p.${q(k.prod)} = c.${q(k.pr)}`).join(' and ');
  return [
    'with __tsql_prod as (',
    side(prod, (c) => c.prod),
    '), __tsql_pr as (',
    side(pr, (c) => c.pr),
    '), __tsql_prod_stats as (',
    stats('__tsql_prod', 'prod'),
    '), __tsql_pr_stats as (',
    stats('__tsql_pr', 'pr'),
    '), __tsql_joined as (',
    `  select ${aggregates.join(',\n    ')}`,
    `  from __tsql_prod p full outer join __tsql_pr c on ${on}`,
    '  where coalesce(p.__tsql_n, 1) = 1 and coalesce(c.__tsql_n, 1) = 1 and coalesce(p.__tsql_nk, 0) = 0 and coalesce(c.__tsql_nk, 0) = 0',
    ')',
    'select * from __tsql_prod_stats cross join __tsql_pr_stats cross join __tsql_joined',
  ].join('\n');
}

/** Reads the query's one row (engines differ in the case of column names and in how they return counts). */
export function readFigures(row: Record<string, unknown>, input: DiffQueryInput): DiffFigures {
  const lower = new Map(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v]));
  const n = (name: string): number => {
    const v = lower.get(name);
    if (v === undefined || v === null) return 0;
    const x = Number(v);
    if (!Number.isFinite(x)) throw new Error(`tsql diff: the warehouse answered ${name} = ${String(v)}`);
    return x;
  };
  const figures: DiffFigures = { prodRows: n('prod_rows'), prRows: n('pr_rows') };
  if (input.key.length) {
    figures.keyed = {
      added: n('added'),
      removed: n('removed'),
      changed: n('changed'),
      changedByColumn: input.compare.map((_, i) => n(`changed_${i}`)),
      duplicateKeys: { prod: n('prod_dup_keys'), pr: n('pr_dup_keys') },
      duplicateKeyRows: { prod: n('prod_dup_rows'), pr: n('pr_dup_rows') },
      nullKeyRows: { prod: n('prod_null_key_rows'), pr: n('pr_null_key_rows') },
    };
  }
  return figures;
}
