/**
 * What `run_query()` and `load_result(...).table` give templates: a result set
 * shaped like dbt's agate table, built from plain values so the sandbox lets
 * templates read it (arrays and plain objects with their own members only).
 *
 * - the table is the list of its rows (`for row in table`, `table | length`, `table[0]`)
 *   with `rows`, `columns`, `column_names`, `column_types` and `print_table()`;
 * - a row is the list of its values, also readable by column name (`row[0]`, `row['status']`, `row.status`);
 * - `columns` is the list of columns, also by name (`columns[0]`, `columns['status']`),
 *   each with `name` and `values()`, and a mapping of name to column (`keys()`, `values()`, `items()`).
 */
import { dateTimeText } from '../../util/date-text.js';
import { makeTuple } from '../jinja/python-values.js';

export type QueryRow = unknown[] & Record<string, unknown>;
export type QueryTable = QueryRow[] & Record<string, unknown>;

/** A value as templates see it: numbers, strings, booleans and None (dates as ISO text). */
export function templateValue(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return dateTimeText(v);
  if (Array.isArray(v)) return v.map(templateValue);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return String(v);
}

/** Adds `name → value` members that do not hide a list's own index or length. */
function nameMembers(target: unknown[], names: string[], values: unknown[]): void {
  names.forEach((name, i) => {
    if (/^\d+$/.test(name) || name === 'length' || Object.prototype.hasOwnProperty.call(target, name)) return;
    Object.defineProperty(target, name, { value: values[i], enumerable: false });
  });
}

function hidden(target: object, members: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(members)) Object.defineProperty(target, k, { value: v, enumerable: false });
}

/** An empty or filled table from rows keyed by column name (the order of the first row's keys, or `names`). */
export function queryTable(records: Record<string, unknown>[], names?: string[]): QueryTable {
  const columnNames = names ?? (records.length ? Object.keys(records[0]) : []);
  const rows = records.map((rec) => {
    const values = columnNames.map((n) => templateValue(rec[n]));
    const row = [...values] as QueryRow;
    nameMembers(row, columnNames, values);
    hidden(row, {
      keys: () => [...columnNames],
      values: () => [...values],
      items: () => columnNames.map((n, i) => [n, values[i]]),
      dict: () => Object.fromEntries(columnNames.map((n, i) => [n, values[i]])),
    });
    return row;
  });
  const columns = columnNames.map((name, i) => ({ name, values: () => rows.map((r) => r[i]), values_distinct: () => [...new Set(rows.map((r) => r[i]))], values_without_nulls: () => rows.map((r) => r[i]).filter((x) => x !== null) }));
  const columnList = [...columns] as unknown[] & Record<string, unknown>;
  nameMembers(columnList, columnNames, columns);
  // agate's columns are also a mapping of name to column: `table.columns.items()`
  hidden(columnList, {
    keys: () => [...columnNames],
    values: () => [...columns],
    items: () => columnNames.map((n, i) => makeTuple([n, columns[i]])),
  });
  const table = [...rows] as QueryTable;
  hidden(table, {
    rows: [...rows],
    columns: columnList,
    column_names: [...columnNames],
    print_table: () => '',
  });
  return table;
}

/** `load_result(name)`: dbt's {response, data, table}. */
export function statementResult(table: QueryTable, rowsAffected: number | undefined, message: string): Record<string, unknown> {
  return {
    response: { _message: message, code: message.split(' ')[0] ?? '', rows_affected: rowsAffected ?? -1 },
    data: table.map((r) => [...r]),
    table,
  };
}
