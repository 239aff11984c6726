import type { Column, TableConstraint } from '../types.js';

/**
 * PostgreSQL's own names for unnamed constraints, computed for the table a
 * staged table becomes: `<table>_<column>_check` for a check on one column,
 * `<table>_check` for one on several, `<table>_<columns>_fkey` for a foreign
 * key. PostgreSQL would name them after the table they are created on, the
 * staged one, and the name would stay after the swap.
 */

/**
 * PostgreSQL's makeObjectName: `table_column_label`, the two names cut (the
 * longer first) so that the whole fits in `max` bytes.
 */
export function makeObjectName(table: string, column: string | undefined, label: string, max: number): string {
  const bytes = (s: string) => Buffer.byteLength(s);
  const available = max - (column === undefined ? 0 : 1) - bytes(label) - 1;
  let a = [...table];
  let b = [...(column ?? '')];
  const len = (chars: string[]) => bytes(chars.join(''));
  while (len(a) + len(b) > available) {
    if (len(a) > len(b)) a = a.slice(0, -1);
    else b = b.slice(0, -1);
  }
  return [a.join(''), ...(column === undefined ? [] : [b.join('')]), label].join('_');
}

/** The contract's columns an expression names (string literals left out), as PostgreSQL reads the columns a check references. */
function referencedColumns(expression: string, columns: Column[]): string[] {
  const words = new Set<string>();
  const code = expression.replace(/'(?:[^']|'')*'/g, ' ');
  for (const m of code.matchAll(/"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*)/g)) words.add(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!.toLowerCase());
  return columns.filter((c) => words.has(c.name) || (!c.quoted && words.has(c.name.toLowerCase()))).map((c) => c.name);
}

/**
 * The name PostgreSQL would give an unnamed check or foreign key on `table`,
 * made unique among `taken` (the table's other constraint names) as it
 * does, with a number after the label (`orders_amount_check1`); the name is
 * added to `taken`. Undefined for other kinds.
 */
export function postgresConstraintName(table: string, c: TableConstraint, columns: Column[], taken: Set<string>, max: number): string | undefined {
  let column: string | undefined;
  let label: string;
  if (c.type === 'check') {
    const on = c.columns.length ? c.columns : referencedColumns(c.expression ?? '', columns);
    column = on.length === 1 ? on[0] : undefined;
    label = 'check';
  } else if (c.type === 'foreign_key') {
    column = c.columns.join('_') || undefined;
    label = 'fkey';
  } else {
    return undefined;
  }
  let name = makeObjectName(table, column, label, max);
  for (let n = 1; taken.has(name); n++) name = makeObjectName(table, column, `${label}${n}`, max);
  taken.add(name);
  return name;
}
