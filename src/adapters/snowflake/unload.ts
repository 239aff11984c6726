import type { Column, Relation } from '../types.js';

/**
 * Unloads: Snowflake writes a query's result itself with COPY INTO <location>
 * (capabilities.unload = 'server').
 *
 * The location is a stage path (`@LAKE/stage/movie_review/2024-01-03/x.parquet`;
 * an s3:// lake is reached through tsql's stage over it, lake-stage.ts). A model's
 * location names one file, and tsql asks for exactly that file: SINGLE = TRUE
 * (one file, named as given; Snowflake adds no extension then), OVERWRITE =
 * TRUE (a re-run replaces it), HEADER = TRUE (column names in CSV, and the
 * result's names in parquet), MAX_FILE_SIZE at Snowflake's ceiling for single
 * files (5 GB). CSV is written uncompressed with fields quoted when needed and
 * NULL as an empty field, the form every engine's reader and the external
 * tables here take. A failed COPY writes no file. A query without rows writes
 * no file either, so the adapter then removes the location's previous file
 * (removeStageFile): the location always holds the latest result.
 */

export type UnloadOptions = Record<string, string | number | boolean>;

interface Quoting {
  quoteIdentifier(name: string): string;
  quoteString(value: string): string;
  renderRelation(rel: Relation): string;
}

/** Options a model may pass to COPY INTO <location> (tsql's names, Snowflake's meaning). */
const OPTIONS: Record<string, 'csv' | 'both'> = {
  header: 'both',
  delimiter: 'csv',
  compression: 'both',
  null_if: 'csv',
  date_format: 'csv',
  timestamp_format: 'csv',
  max_file_size: 'both',
};

/** A stage location as COPY takes it: bare when plain, else single-quoted. */
export function stageReference(d: Quoting, location: string): string {
  return /^@[A-Za-z0-9_$."%~]+(\/[A-Za-z0-9_.=\-/]*)?$/.test(location) ? location : d.quoteString(location);
}

/** The file format clause for CSV files tsql writes or reads (`reading`: skip the header line, empty fields are NULL). */
export function csvFileFormat(d: Quoting, o: { delimiter?: string; compression?: string; reading?: boolean; extra?: string[] } = {}): string {
  const parts = ['type = csv'];
  if (o.compression) parts.push(`compression = ${o.compression}`);
  if (o.delimiter && o.delimiter !== ',') parts.push(`field_delimiter = ${d.quoteString(o.delimiter)}`);
  parts.push(`field_optionally_enclosed_by = '"'`);
  if (o.reading) parts.push('skip_header = 1', 'empty_field_as_null = true');
  else parts.push(`null_if = ('')`, 'empty_field_as_null = false');
  parts.push(...(o.extra ?? []));
  return `file_format = (${parts.join(' ')})`;
}

function optionValue(options: UnloadOptions, key: string): string | number | boolean | undefined {
  return Object.entries(options).find(([k]) => k.toLowerCase() === key)?.[1];
}

export function renderUnload(d: Quoting, sql: string, location: string, format: 'csv' | 'parquet', options: UnloadOptions): string {
  for (const key of Object.keys(options)) {
    const scope = OPTIONS[key.toLowerCase()];
    if (!scope) throw new Error(`snowflake unloads take the options ${Object.keys(OPTIONS).join(', ')}; not ${key}`);
    if (scope === 'csv' && format !== 'csv') throw new Error(`the unload option ${key} applies to csv, not ${format}`);
  }
  if (!location.startsWith('@')) {
    throw new Error(`snowflake unloads to a stage, not to ${location}: set lake_root in the profile (@stage/path, or s3://… with storage_integration)`);
  }
  const target = stageReference(d, location);
  const header = optionValue(options, 'header') ?? true;
  if (typeof header !== 'boolean') throw new Error(`the unload option header must be true or false, not ${JSON.stringify(header)}`);
  const compression = optionValue(options, 'compression');
  let fileFormat: string;
  if (format === 'csv') {
    const delimiter = optionValue(options, 'delimiter');
    if (delimiter !== undefined && (typeof delimiter !== 'string' || [...delimiter].length !== 1)) {
      throw new Error(`the unload option delimiter must be one character, not ${JSON.stringify(delimiter)}`);
    }
    const extra: string[] = [];
    for (const key of ['date_format', 'timestamp_format']) {
      const v = optionValue(options, key);
      if (v !== undefined) extra.push(`${key} = ${d.quoteString(String(v))}`);
    }
    const nullIf = optionValue(options, 'null_if');
    const ff = csvFileFormat(d, { delimiter: delimiter as string | undefined, compression: compression === undefined ? 'none' : String(compression), extra });
    fileFormat = nullIf === undefined ? ff : ff.replace(`null_if = ('')`, `null_if = (${d.quoteString(String(nullIf))})`);
  } else {
    fileFormat = `file_format = (type = parquet${compression === undefined ? '' : ` compression = ${String(compression)}`})`;
  }
  const maxSize = optionValue(options, 'max_file_size') ?? 5_368_709_120;
  return [
    `copy into ${target}`,
    `from (\n${sql}\n)`,
    fileFormat,
    `header = ${header}`,
    'single = true',
    'overwrite = true',
    `max_file_size = ${Number(maxSize)}`,
  ].join('\n');
}

/** Removes exactly the file at a stage location (REMOVE takes a prefix: the pattern keeps it to that one name). */
export function renderRemoveFile(d: Quoting, location: string): string {
  const name = location.slice(location.lastIndexOf('/') + 1);
  const pattern = `(.*/)?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
  return `remove ${stageReference(d, location)} pattern = ${d.quoteString(pattern)}`;
}

/** Loads files PUT to a stage (a seed's CSV with a header line) into a table, deleting them once loaded. */
export function renderCopyInto(d: Quoting, rel: Relation, columns: Column[], stage: string, delimiter?: string): string {
  return [
    `copy into ${d.renderRelation(rel)} (${columns.map((c) => d.quoteIdentifier(c.name)).join(', ')})`,
    `from ${stage}`,
    csvFileFormat(d, { delimiter, reading: true }),
    'purge = true',
  ].join('\n');
}
