import type { GrantMap } from './types.js';

/**
 * The catalog's grant rows as privilege → grantees (privileges lower case),
 * keeping the rows `keep` accepts. Column names are read whatever their case.
 */
export function grantsFromRows(rows: Record<string, unknown>[], columns: { grantee: string; privilege: string }, keep: (row: Record<string, unknown>) => boolean = () => true): GrantMap {
  const out: GrantMap = {};
  for (const raw of rows) {
    const row: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) row[k.toLowerCase()] = v;
    if (!keep(row)) continue;
    const privilege = String(row[columns.privilege] ?? '').toLowerCase();
    const grantee = String(row[columns.grantee] ?? '');
    if (!privilege || !grantee) continue;
    const list = (out[privilege] ??= []);
    if (!list.includes(grantee)) list.push(grantee);
  }
  return out;
}
