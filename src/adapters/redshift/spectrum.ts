import type { ExternalTableSpec, Relation } from '../types.js';

/**
 * Redshift Spectrum DDL: external schemas (a Glue Data Catalog database),
 * external tables over S3 folders, and their partitions. None of these can run
 * inside a transaction block: the caller runs them one by one, autocommitted.
 * External tables are named schema.table (an external schema always belongs to
 * the connected database).
 */

interface Quoting {
  quoteIdentifier(name: string): string;
  quoteString(value: string): string;
}

/** Redshift registers at most 100 partitions per ALTER TABLE … ADD PARTITION. */
export const MAX_PARTITIONS_PER_STATEMENT = 100;

export interface ExternalSchemaOptions {
  /** The Glue Data Catalog database the schema maps to. */
  catalogDatabase: string;
  iamRole: string;
  /** The catalog's region, when not the cluster's. */
  region?: string;
}

export function createExternalSchema(d: Quoting, schema: string, o: ExternalSchemaOptions): string {
  return [
    `create external schema if not exists ${d.quoteIdentifier(schema)}`,
    `from data catalog database ${d.quoteString(o.catalogDatabase)}`,
    ...(o.region ? [`region ${d.quoteString(o.region)}`] : []),
    `iam_role ${o.iamRole.toLowerCase() === 'default' ? 'default' : d.quoteString(o.iamRole)}`,
    'create external database if not exists',
  ].join('\n');
}

export function externalTableName(d: Quoting, rel: Relation): string {
  return `${d.quoteIdentifier(rel.schema)}.${d.quoteIdentifier(rel.identifier)}`;
}

/** A folder location with exactly one trailing slash. */
export function folder(location: string): string {
  return `${location.replace(/\/+$/, '')}/`;
}

/** Where one partition's files are: <location>/<value>/… (value_only) or <location>/<col>=<value>/… (key_value). */
export function partitionLocation(spec: ExternalTableSpec, values: string[]): string {
  const parts = spec.partitions.map((p, i) => (spec.partitionLayout === 'key_value' ? `${p.name}=${values[i]}` : values[i]));
  return folder(spec.location) + parts.map((p) => `${p}/`).join('');
}

export interface ExternalTableFormat {
  /** Overrides the row format: the text after `row format` (e.g. `delimited fields terminated by '|'`). */
  rowFormat?: string;
  /** Extra table properties. */
  tableProperties?: Record<string, string>;
}

/**
 * CREATE EXTERNAL TABLE for a csv or parquet folder. CSV is read with
 * OpenCSVSerde: UNLOAD … FORMAT CSV quotes fields that hold the delimiter or
 * quotes (doubling the quotes), which `row format delimited` would split;
 * the header line is skipped unless the source's options say `header: false`.
 */
export function createExternalTable(d: Quoting, rel: Relation, spec: ExternalTableSpec, format: ExternalTableFormat = {}): string {
  if (spec.format !== 'csv' && spec.format !== 'parquet') throw new Error(`Spectrum external tables read csv or parquet here, not ${String(spec.format)}`);
  const q = (s: string) => d.quoteIdentifier(s);
  const lines = [`create external table ${externalTableName(d, rel)} (`, spec.columns.map((c) => `  ${q(c.name)} ${c.dataType}`).join(',\n'), ')'];
  if (spec.partitions.length) lines.push(`partitioned by (${spec.partitions.map((p) => `${q(p.name)} ${p.dataType}`).join(', ')})`);
  const properties: Record<string, string> = {};
  if (spec.format === 'csv') {
    const delimiter = String(spec.options.delimiter ?? ',');
    if (format.rowFormat) lines.push(`row format ${format.rowFormat}`);
    else {
      lines.push(`row format serde 'org.apache.hadoop.hive.serde2.OpenCSVSerde'`);
      lines.push(`with serdeproperties (${d.quoteString('separatorChar')} = ${d.quoteString(delimiter)}, ${d.quoteString('quoteChar')} = ${d.quoteString('"')})`);
    }
    lines.push('stored as textfile');
    if (spec.options.header !== false && String(spec.options.header) !== 'false') properties['skip.header.line.count'] = '1';
  } else {
    if (format.rowFormat) lines.push(`row format ${format.rowFormat}`);
    lines.push('stored as parquet');
  }
  lines.push(`location ${d.quoteString(folder(spec.location))}`);
  Object.assign(properties, format.tableProperties ?? {});
  const props = Object.entries(properties);
  if (props.length) lines.push(`table properties (${props.map(([k, v]) => `${d.quoteString(k)}=${d.quoteString(v)}`).join(', ')})`);
  return lines.join('\n');
}

/**
 * ALTER TABLE … ADD IF NOT EXISTS PARTITION … LOCATION …, at most 100
 * partitions per statement; registering a partition again changes nothing.
 */
export function addPartitions(d: Quoting, rel: Relation, spec: ExternalTableSpec, partitionValues: string[][]): string[] {
  if (!spec.partitions.length || !partitionValues.length) return [];
  const clauses = partitionValues.map((values) => {
    if (values.length !== spec.partitions.length) {
      throw new Error(`a partition of ${rel.schema}.${rel.identifier} needs ${spec.partitions.length} value(s) (${spec.partitions.map((p) => p.name).join(', ')}), got ${values.length}`);
    }
    const keys = spec.partitions.map((p, i) => `${d.quoteIdentifier(p.name)}=${d.quoteString(values[i])}`).join(', ');
    return `partition (${keys}) location ${d.quoteString(partitionLocation(spec, values))}`;
  });
  const out: string[] = [];
  for (let i = 0; i < clauses.length; i += MAX_PARTITIONS_PER_STATEMENT) {
    out.push([`alter table ${externalTableName(d, rel)} add if not exists`, ...clauses.slice(i, i + MAX_PARTITIONS_PER_STATEMENT)].join('\n'));
  }
  return out;
}

export function dropExternalTable(d: Quoting, rel: Relation): string {
  return `drop table if exists ${externalTableName(d, rel)}`;
}

/**
 * The external table's registration, if any: one row (schemaname, tablename,
 * location) or none. Case-insensitive, as Redshift folds identifiers to lower case.
 */
export function externalTableQuery(d: Quoting, rel: Relation): string {
  return [
    'select schemaname, tablename, location from svv_external_tables',
    `where lower(schemaname) = lower(${d.quoteString(rel.schema)}) and lower(tablename) = lower(${d.quoteString(rel.identifier)})`,
  ].join('\n');
}
