/**
 * A Redshift table's layout from the model config (`dist`, `sort`, `sort_type`,
 * `backup`, as in dbt-redshift), rendered as the clauses of CREATE TABLE AS.
 */
export interface PhysicalOptions {
  dist?: string;
  sort?: string[];
  sortType?: string;
  backup?: boolean;
}

/** Redshift allows at most 8 columns in an interleaved sort key. */
const MAX_INTERLEAVED_COLUMNS = 8;

/**
 * The clauses in the order CREATE TABLE AS takes them:
 * `backup {yes|no}`, `diststyle …` / `diststyle key distkey (col)`, `[compound|interleaved] sortkey (…)`.
 */
export function physicalClauses(physical: PhysicalOptions | undefined, quoteIdentifier: (name: string) => string): string[] {
  if (!physical) return [];
  const out: string[] = [];
  if (physical.backup !== undefined) out.push(`backup ${physical.backup ? 'yes' : 'no'}`);
  if (physical.dist !== undefined) {
    const dist = physical.dist.trim();
    if (!dist) throw new Error(`dist must be all, even, auto or a column name, not an empty string`);
    const style = dist.toLowerCase();
    out.push(style === 'all' || style === 'even' || style === 'auto' ? `diststyle ${style}` : `diststyle key distkey (${quoteIdentifier(dist)})`);
  }
  const sort = (physical.sort ?? []).map((c) => c.trim()).filter(Boolean);
  if (sort.length) {
    const sortType = (physical.sortType ?? 'compound').toLowerCase();
    if (sortType !== 'compound' && sortType !== 'interleaved') throw new Error(`sort_type must be compound or interleaved, not '${physical.sortType}'`);
    if (sortType === 'interleaved' && sort.length > MAX_INTERLEAVED_COLUMNS) {
      throw new Error(`an interleaved sort key takes at most ${MAX_INTERLEAVED_COLUMNS} columns (sort has ${sort.length})`);
    }
    out.push(`${sortType} sortkey (${sort.map(quoteIdentifier).join(', ')})`);
  } else if (physical.sortType !== undefined && physical.sort !== undefined) {
    throw new Error('sort_type is set but sort names no columns');
  }
  return out;
}
