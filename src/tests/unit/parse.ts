import { UserError } from '../../errors.js';
import { isPlainObject } from '../../project/config-merge.js';
import { parseCsv } from '../../seeds/csv.js';
import { didYouMean } from '../../util/suggest.js';
import { parseDs } from '../../run-date/run-date.js';

/** One input of a unit test: `ref('m')`, `source('s', 't')` or `this`, with its rows. */
export interface UnitInput {
  /** as written: "ref('stg_orders')" */
  input: string;
  kind: 'ref' | 'source' | 'this';
  /** ref: [name]; source: [source, table] */
  args: string[];
  rows: Array<Record<string, unknown>>;
  /** columns in order of first appearance (also for csv with no rows) */
  columns: string[];
}

export interface UnitTestDef {
  name: string;
  model: string;
  description: string;
  given: UnitInput[];
  expect: { rows: Array<Record<string, unknown>>; columns: string[] };
  /** vars, macros (fixed return values, e.g. is_incremental) and, a tsql addition, the run date `ds` */
  overrides: { vars: Record<string, unknown>; macros: Record<string, unknown>; ds?: string };
  config: Record<string, unknown>;
  file: string;
  line?: number;
}

const KEYS = ['name', 'model', 'description', 'given', 'expect', 'overrides', 'config', 'versions'];
const INPUT = /^\s*(?:ref\(\s*(?:['"]([^'"]+)['"]\s*,\s*)?['"]([^'"]+)['"]\s*\)|source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)|(this))\s*$/;

function rowsOf(entry: Record<string, unknown>, what: string, place: { file: string; line?: number }): { rows: Array<Record<string, unknown>>; columns: string[] } {
  const format = String(entry.format ?? 'dict');
  if (format === 'csv') {
    if (typeof entry.rows !== 'string') throw new UserError(`${what}: format csv needs rows as CSV text (rows: |)`, place);
    const table = parseCsv(entry.rows.replace(/^\s*\n/, ''), { file: place.file });
    const rows = table.rows.map((r) => Object.fromEntries(table.header.map((h, i) => [h, csvValue(r[i])])));
    return { rows, columns: table.header };
  }
  if (format !== 'dict') throw new UserError(`${what}: format '${format}' is not supported`, place, { hint: didYouMean(format, ['dict', 'csv']) ?? 'use dict or csv' });
  const raw = entry.rows ?? [];
  if (!Array.isArray(raw) || raw.some((r) => !isPlainObject(r))) throw new UserError(`${what}: rows must be a list of mappings (column: value)`, place);
  const columns: string[] = [];
  for (const r of raw as Array<Record<string, unknown>>) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  return { rows: raw as Array<Record<string, unknown>>, columns };
}

/** CSV cells: empty → null, numbers and booleans as such, the rest text (as dbt reads csv fixtures). */
function csvValue(v: string | null): unknown {
  if (v === null) return null;
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (/^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  return v;
}

/** Validates one `unit_tests:` entry from a properties file. */
export function parseUnitTest(raw: unknown, file: string, line: number | undefined): UnitTestDef {
  const place = { file, line };
  if (!isPlainObject(raw) || typeof raw.name !== 'string' || !raw.name) throw new UserError('a unit test needs a name', place);
  const name = raw.name;
  for (const k of Object.keys(raw)) if (!KEYS.includes(k)) throw new UserError(`unit test '${name}': unknown key '${k}'`, place, { hint: didYouMean(k, KEYS) });
  if (typeof raw.model !== 'string' || !raw.model) throw new UserError(`unit test '${name}' needs a model`, place);
  if (!Array.isArray(raw.given)) throw new UserError(`unit test '${name}' needs given: (a list of inputs with rows)`, place);
  const given = raw.given.map((g, i): UnitInput => {
    const what = `unit test '${name}', given #${i + 1}`;
    if (!isPlainObject(g) || typeof g.input !== 'string') throw new UserError(`${what}: needs input: ref('…') or source('…', '…')`, place);
    const m = INPUT.exec(g.input);
    if (!m) throw new UserError(`${what}: input '${g.input}' must be ref('model'), source('source', 'table') or this`, place);
    const kind = m[2] ? 'ref' : m[3] ? 'source' : 'this';
    // ref: [name] or [package, name]; source: [source, table]
    const args = m[2] ? (m[1] ? [m[1], m[2]] : [m[2]]) : m[3] ? [m[3], m[4]] : [];
    return { input: g.input.trim(), kind, args, ...rowsOf(g, what, place) };
  });
  if (!isPlainObject(raw.expect)) throw new UserError(`unit test '${name}' needs expect: with rows`, place);
  const expect = rowsOf(raw.expect, `unit test '${name}', expect`, place);
  const overrides = isPlainObject(raw.overrides) ? raw.overrides : {};
  return {
    name,
    model: raw.model,
    description: String(raw.description ?? ''),
    given,
    expect,
    overrides: {
      vars: isPlainObject(overrides.vars) ? overrides.vars : {},
      macros: isPlainObject(overrides.macros) ? overrides.macros : {},
      ds: overrides.ds === undefined ? undefined : parseDs(String(overrides.ds), `unit test '${name}': overrides.ds`).ds,
    },
    config: isPlainObject(raw.config) ? raw.config : {},
    file,
    line,
  };
}
