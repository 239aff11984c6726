import { isPlainObject } from './config-merge.js';

/** One `constraints:` entry of a model or of a column, as written in YAML (checked by schema-yaml). */
export interface ConstraintDef {
  type: 'check' | 'not_null' | 'unique' | 'primary_key' | 'foreign_key' | 'custom';
  name?: string;
  expression?: string;
  /** model-level constraints name their columns; a column's constraint is on that column */
  columns?: string[];
  /** foreign_key: `ref('x')` / `source('s', 't')` or a relation name */
  to?: string;
  toColumns?: string[];
  /** foreign_key: `to` resolved by the compiler to the rendered relation */
  references?: string;
  warnUnenforced?: boolean;
  warnUnsupported?: boolean;
  /** YAML line of the entry */
  line?: number;
}

/** Reads a list already validated by schema-yaml; entries that are not mappings are skipped there. */
export function constraintList(v: unknown, lineOf: (i: number) => number | undefined): ConstraintDef[] {
  if (!Array.isArray(v)) return [];
  const out: ConstraintDef[] = [];
  v.forEach((raw, i) => {
    if (!isPlainObject(raw) || typeof raw.type !== 'string') return;
    const list = (x: unknown) => (Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : undefined);
    out.push({
      type: raw.type as ConstraintDef['type'],
      name: typeof raw.name === 'string' ? raw.name : undefined,
      expression: raw.expression === undefined ? undefined : String(raw.expression),
      columns: list(raw.columns),
      to: raw.to === undefined ? undefined : String(raw.to),
      toColumns: list(raw.to_columns),
      warnUnenforced: raw.warn_unenforced === undefined ? undefined : raw.warn_unenforced !== false,
      warnUnsupported: raw.warn_unsupported === undefined ? undefined : raw.warn_unsupported !== false,
      line: lineOf(i),
    });
  });
  return out;
}
