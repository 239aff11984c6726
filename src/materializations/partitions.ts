import { isPlainObject } from '../project/config-merge.js';

/** `partition_by` as columns: 'd', ['d', 'region'], or dbt-bigquery's {field: 'd', …}; undefined when malformed. */
export function partitionColumns(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  if (isPlainObject(v) && typeof v.field === 'string') return [v.field];
  return undefined;
}
