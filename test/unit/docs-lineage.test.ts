/**
 * Column lineage from SQL, through DuckDB's parser: star expansion, CTEs,
 * joins and aliases, expressions over several columns, aggregates, unions,
 * subqueries, lambdas; a statement that does not parse falls back with a reason.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeSelect, LineageUnsupported, type LineageContext } from '../../src/docs/lineage/column-lineage.js';
import { SqlParser } from '../../src/docs/lineage/parse-sql.js';
import { projectLineage } from '../../src/docs/lineage/project-lineage.js';
import type { ManifestJson, ManifestJsonNode } from '../../src/docs/artifacts.js';

const parser = new SqlParser();
afterAll(() => parser.close());

/** A project of three relations: orders(id, customer_id, amount, status), customers(id, name, country), payments(order_id, paid). */
const TABLES: Record<string, string[]> = {
  'model.shop.orders': ['id', 'customer_id', 'amount', 'status'],
  'model.shop.customers': ['id', 'name', 'country'],
  'model.shop.payments': ['order_id', 'paid'],
};
const ctx: LineageContext = {
  nodeOfTable: ({ table }) => (TABLES[`model.shop.${table.toLowerCase()}`] ? `model.shop.${table.toLowerCase()}` : undefined),
  columnsOf: (node) => TABLES[node],
  ephemeralOfCte: (cte) => (cte === '__tsql__cte__payments' ? 'model.shop.payments' : undefined),
};

/** name → ['node.column', …] and via, for compact expectations. */
async function lineage(sql: string): Promise<{ columns: Record<string, string>; notes: string[] }> {
  const parsed = await parser.parseSelect(sql);
  if (!parsed.ok) throw new Error(parsed.reason);
  const notes: string[] = [];
  const cols = analyzeSelect(parsed.tree, ctx, notes);
  const short = (n: string) => n.replace('model.shop.', '');
  return { columns: Object.fromEntries(cols.map((c) => [c.name, `${c.via}: ${c.refs.map((r) => `${short(r.node)}.${r.column}`).join(', ')}`])), notes };
}

describe('column lineage of one select', () => {
  it('tells the names the engine chooses (an expression without an alias, a VALUES column) from names that are certain', async () => {
    const guessed = async (sql: string) => {
      const parsed = await parser.parseSelect(sql);
      if (!parsed.ok) throw new Error(parsed.reason);
      return analyzeSelect(parsed.tree, ctx, []).filter((c) => c.guessedName).map((c) => c.name);
    };
    expect(await guessed('select id, o.amount, amount * 2 as doubled, t.* from orders o, (select status from orders) t')).toEqual([]);
    expect(await guessed('select id, amount * 2, upper(status), id::int from orders')).toEqual(['column_2', 'upper(…)', 'id']);
    expect(await guessed('select * from (values (1, 2)) v')).toEqual(['col0', 'col1']);
    expect(await guessed('select * from (values (1, 2)) v(a, b)')).toEqual([]);
    // through a subquery, a CTE and a union: the first part names the columns
    expect(await guessed('with c as (select lower(status) from orders) select * from c union all select status from orders')).toEqual(['lower(…)']);
  });

  it('expands select *, t.*, exclude and replace over known columns', async () => {
    expect((await lineage('select * from orders')).columns).toEqual({
      id: 'direct: orders.id',
      customer_id: 'direct: orders.customer_id',
      amount: 'direct: orders.amount',
      status: 'direct: orders.status',
    });
    expect((await lineage('select o.* exclude (status) replace (o.amount * 100 as amount), c.name from orders o join customers c on c.id = o.customer_id')).columns).toEqual({
      id: 'direct: orders.id',
      customer_id: 'direct: orders.customer_id',
      amount: 'transformed: orders.amount',
      name: 'direct: customers.name',
    });
    expect((await lineage('select * exclude (orders.status) rename (amount as total) from orders')).columns).toEqual({
      id: 'direct: orders.id',
      customer_id: 'direct: orders.customer_id',
      total: 'direct: orders.amount',
    });
    // join … using: the shared column once
    expect(Object.keys((await lineage('select * from orders join payments on true join customers using (id)')).columns)).toEqual(['id', 'customer_id', 'amount', 'status', 'order_id', 'paid', 'name', 'country']);
  });

  it('follows CTEs, subqueries, aliases, and expressions over several columns', async () => {
    const { columns } = await lineage(`
      with paid as (select order_id, sum(paid) as total_paid from payments group by order_id),
      enriched as (
        select o.id as order_id, o.amount - coalesce(p.total_paid, 0) as due, upper(c.name || ' ' || c.country) as who
        from orders o
        left join paid p on p.order_id = o.id
        join (select id, name, country from customers) c on c.id = o.customer_id
      )
      select order_id, due, who, due > 0 as unpaid from enriched`);
    expect(columns).toEqual({
      order_id: 'direct: orders.id',
      due: 'aggregated: orders.amount, payments.paid',
      who: 'transformed: customers.name, customers.country',
      unpaid: 'aggregated: orders.amount, payments.paid',
    });
  });

  it('names CTE columns by their aliases, and follows a recursive CTE', async () => {
    expect((await lineage('with t(order_no, total) as (select id, amount from orders) select order_no, total from t')).columns).toEqual({
      order_no: 'direct: orders.id',
      total: 'direct: orders.amount',
    });
    expect((await lineage('with recursive t(n) as (select id from orders union all select n + 1 from t where n < 5) select n from t')).columns).toEqual({
      n: 'transformed: orders.id',
    });
  });

  it('unions by position, aggregates, windows, correlated subqueries and lambdas', async () => {
    expect((await lineage('select id, amount from orders union all select order_id, paid from payments')).columns).toEqual({
      id: 'direct: orders.id, payments.order_id',
      amount: 'direct: orders.amount, payments.paid',
    });
    const { columns } = await lineage(`
      select customer_id,
             count(*) as n,
             sum(amount) filter (where status = 'paid') as paid_amount,
             row_number() over (partition by customer_id order by max(id)) as rank,
             (select max(name) from customers c where c.id = o.customer_id) as customer_name,
             list_filter([status], lambda s: s <> '') as statuses
      from orders o group by customer_id`);
    expect(columns).toEqual({
      customer_id: 'direct: orders.customer_id',
      n: 'aggregated: ',
      paid_amount: 'aggregated: orders.amount, orders.status',
      rank: 'aggregated: orders.customer_id, orders.id',
      customer_name: 'aggregated: customers.name',
      statuses: 'transformed: orders.status',
    });
  });

  it('reads an inlined ephemeral model as that model, and notes relations outside the project', async () => {
    const r = await lineage('with __tsql__cte__payments as (select 1 as order_id, 2 as paid) select p.paid, x.y from __tsql__cte__payments p cross join raw.events x');
    expect(r.columns).toEqual({ paid: 'direct: payments.paid', y: 'direct: ' });
    expect(r.notes).toEqual(['raw.events is not a node of the project: its columns are not followed']);
  });

  it('gives up (table-level) on select * over a relation whose columns are unknown, with the reason', async () => {
    const parsed = await parser.parseSelect('select * from read_parquet(\'x/*.parquet\')');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(() => analyzeSelect(parsed.tree, ctx, [])).toThrow(new LineageUnsupported('select * over read_parquet(…), whose columns are not known'));
  });

  it('reports a statement DuckDB cannot parse, in its words', async () => {
    const r = await parser.parseSelect('select value:c1::varchar as x from @my_stage');
    expect(r).toEqual({ ok: false, reason: 'the SQL does not parse: syntax error at or near "as"' });
    expect(await parser.parseSelect('select 1; select 2')).toEqual({ ok: false, reason: 'the compiled SQL holds 2 statements, not one select' });
    expect(await parser.parseSelect('pivot orders on status using sum(amount)')).toEqual({ ok: false, reason: 'it is not a plain select (a PIVOT or another statement whose parse tree DuckDB does not give)' });
  });
});

function node(id: string, fields: Partial<ManifestJsonNode>): ManifestJsonNode {
  const [type, pkg, ...rest] = id.split('.');
  return { unique_id: id, resource_type: type, name: rest.at(-1)!, package_name: pkg, fqn: [pkg, rest.at(-1)!], original_file_path: '', path: '', description: '', config: {}, tags: [], columns: {}, depends_on: { nodes: [] }, ...fields };
}

describe('project lineage', () => {
  it('falls back to table-level lineage for a model that does not parse, keeps tracing the others, and names the reason', async () => {
    const manifest: ManifestJson = {
      metadata: { project_name: 'shop' },
      nodes: {
        'seed.shop.raw': node('seed.shop.raw', { schema: 'main', alias: 'raw', columns: { a: { name: 'a' }, b: { name: 'b' } } }),
        'model.shop.good': node('model.shop.good', { schema: 'main', alias: 'good', materialized: 'table', compiled_code: 'select a + b as s from "db"."main"."raw"', depends_on: { nodes: ['seed.shop.raw'] } }),
        'model.shop.bad': node('model.shop.bad', { schema: 'main', alias: 'bad', materialized: 'view', compiled_code: 'select s from "db"."main"."good" qualify by nothing', depends_on: { nodes: ['model.shop.good'] } }),
        'model.shop.after': node('model.shop.after', { schema: 'main', alias: 'after', materialized: 'view', compiled_code: 'select * from "db"."main"."bad"', depends_on: { nodes: ['model.shop.bad'] } }),
      },
      sources: {},
      exposures: {},
      macros: {},
      parent_map: { 'model.shop.good': ['seed.shop.raw'], 'model.shop.bad': ['model.shop.good'], 'model.shop.after': ['model.shop.bad'] },
      child_map: {},
    };
    const l = await projectLineage(manifest, new Map(), parser, '/nonexistent');
    expect(l.nodes['model.shop.good']).toMatchObject({ level: 'column', columns: [{ name: 's', via: 'transformed', upstream: [{ node: 'seed.shop.raw', column: 'a' }, { node: 'seed.shop.raw', column: 'b' }] }] });
    expect(l.nodes['model.shop.bad']).toMatchObject({ level: 'table', parents: ['model.shop.good'], columns: [] });
    expect(l.nodes['model.shop.bad'].reason).toBe('the SQL does not parse: syntax error at or near "by"');
    // a select * over the table-level model cannot be expanded either: it says so
    expect(l.nodes['model.shop.after']).toMatchObject({ level: 'table', reason: 'select * over "db"."main"."bad", whose columns are not known'.replace(/"/g, '') });
  });
});
