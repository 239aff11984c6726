import type { ExternalTableSpec, Relation } from '../types.js';
import { csvFileFormat, stageReference } from './unload.js';

/**
 * Snowflake external tables over a stage.
 *
 * Columns are expressions over the row's VALUE: CSV fields by position
 * (`value:c1`, `value:c2`, … in the order the source declares its columns),
 * parquet fields by name, matched without regard to case (GET_IGNORE_CASE:
 * files written by Snowflake name them in upper case, other engines in lower).
 * Partition columns come from the file's path (METADATA$FILENAME, relative to
 * the stage), counted from the file name backwards, so they do not depend on
 * how deep the location lies: with one partition, `…/2024-01-03/file.csv` gives
 * the second-to-last part; `insert_date=2024-01-03` (key_value layout) gives what follows '='.
 *
 * AUTO_REFRESH is off: a run registers the files of its run date with ALTER
 * EXTERNAL TABLE … REFRESH '<run date>/' (the table sees no file that was not
 * registered). CREATE registers every file present (refresh on create).
 */

interface Quoting {
  quoteIdentifier(name: string): string;
  quoteString(value: string): string;
  renderRelation(rel: Relation): string;
}

const READER_OPTIONS = ['delimiter', 'skip_header', 'null_if', 'date_format', 'timestamp_format', 'encoding', 'compression'];

function fileFormat(d: Quoting, spec: ExternalTableSpec): string {
  const opts = Object.fromEntries(Object.entries(spec.options).map(([k, v]) => [k.toLowerCase(), v]));
  for (const k of Object.keys(opts)) {
    if (!READER_OPTIONS.includes(k)) throw new Error(`snowflake external tables take the options ${READER_OPTIONS.join(', ')}; not ${k}`);
  }
  if (spec.format === 'parquet') return 'file_format = (type = parquet)';
  const extra: string[] = [];
  for (const k of ['null_if', 'date_format', 'timestamp_format', 'encoding', 'compression']) {
    if (opts[k] !== undefined) extra.push(k === 'null_if' ? `null_if = (${d.quoteString(String(opts[k]))})` : `${k} = ${d.quoteString(String(opts[k]))}`);
  }
  const ff = csvFileFormat(d, { delimiter: opts.delimiter === undefined ? undefined : String(opts.delimiter), reading: true, extra });
  return opts.skip_header === undefined ? ff : ff.replace('skip_header = 1', `skip_header = ${Number(opts.skip_header)}`);
}

export function renderExternalTable(d: Quoting, rel: Relation, spec: ExternalTableSpec, stageLocation: string, opts: { replace: boolean }): string {
  const cols = spec.columns.map((c, i) => {
    const field = spec.format === 'csv' ? `value:c${i + 1}` : `get_ignore_case(value, ${d.quoteString(c.name)})`;
    return `  ${d.quoteIdentifier(c.name)} ${c.dataType} as (cast(${field} as ${c.dataType}))`;
  });
  const n = spec.partitions.length;
  const parts = spec.partitions.map((p, i) => {
    const segment = `split_part(metadata$filename, '/', ${-(n - i + 1)})`;
    const value = spec.partitionLayout === 'key_value' ? `split_part(${segment}, '=', 2)` : segment;
    return `  ${d.quoteIdentifier(p.name)} ${p.dataType} as (cast(${value} as ${p.dataType}))`;
  });
  const location = stageLocation.endsWith('/') ? stageLocation : `${stageLocation}/`;
  return [
    `create ${opts.replace ? 'or replace ' : ''}external table ${opts.replace ? '' : 'if not exists '}${d.renderRelation(rel)} (`,
    [...cols, ...parts].join(',\n'),
    ')',
    ...(n ? [`partition by (${spec.partitions.map((p) => d.quoteIdentifier(p.name)).join(', ')})`] : []),
    `location = ${stageReference(d, location)}`,
    fileFormat(d, spec),
    'auto_refresh = false',
  ].join('\n');
}

export function renderExternalRefresh(d: Quoting, rel: Relation, subPath?: string): string {
  return `alter external table ${d.renderRelation(rel)} refresh${subPath ? ` ${d.quoteString(subPath)}` : ''}`;
}
