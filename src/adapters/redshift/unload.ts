/**
 * UNLOAD: Redshift writes a query's result to S3 itself (capabilities.unload = 'server').
 *
 * Where the files go. UNLOAD's TO is a key *prefix*, not a file name: Redshift
 * appends the file number (`000`, `001`, … with PARALLEL OFF; `0000_part_00`, …
 * per slice with PARALLEL ON), then the EXTENSION if one is given (parquet
 * files get `.parquet` from Redshift itself). So a model location naming a
 * file, `s3://bucket/stage/user_purchase/2024-01-03/user_purchase.csv`, maps to
 *
 *   TO 's3://bucket/stage/user_purchase/2024-01-03/user_purchase_'  EXTENSION 'csv'
 *
 * which writes `…/2024-01-03/user_purchase_000.csv` (and `_001.csv`, … past
 * MAXFILESIZE, 6.2 GB by default); compressed files get Redshift's own
 * extension instead (`user_purchase_000.gz`). The folder is the partition Spectrum reads
 * (every file in it, except names starting with `_` or `.`), so it must hold
 * this unload's files only: re-running overwrites them (ALLOWOVERWRITE), and
 * `cleanpath: true` first deletes every object under the prefix — use it
 * when a re-run may write fewer files than before (it needs s3:DeleteObject).
 * Nothing else is ever written there (MANIFEST would be read as data, so it
 * is refused). A location ending in `/` is used as the prefix as it is.
 */

export type UnloadOptions = Record<string, string | number | boolean>;

export interface UnloadDefaults {
  /** The output's `iam_role` (the model's `options.iam_role` wins). */
  iamRole?: string;
}

interface Quoting {
  quoteString(value: string): string;
}

/** The S3 key prefix for a location and the extension its files get. */
export function unloadPrefix(location: string): { prefix: string; extension: string | undefined } {
  if (!/^s3:\/\/[^/]+\//i.test(location)) throw new Error(`Redshift unloads to S3 only: the location must be s3://bucket/…, not ${location}`);
  if (location.endsWith('/')) return { prefix: location, extension: undefined };
  const slash = location.lastIndexOf('/');
  const file = location.slice(slash + 1);
  if (file.startsWith('_') || file.startsWith('.')) {
    throw new Error(`the unload file name ${file} starts with '${file[0]}': Spectrum ignores such files; choose another name`);
  }
  const dot = file.lastIndexOf('.');
  const stem = dot > 0 ? file.slice(0, dot) : file;
  const extension = dot > 0 ? file.slice(dot + 1) : undefined;
  return { prefix: `${location.slice(0, slash + 1)}${stem}_`, extension };
}

const KNOWN = [
  'iam_role', 'region', 'header', 'delimiter', 'null_as', 'addquotes', 'escape', 'gzip', 'bzip2', 'zstd',
  'extension', 'encrypted', 'kms_key_id', 'maxfilesize', 'rowgroupsize', 'allowoverwrite', 'cleanpath', 'parallel',
];
/** Text-only options: UNLOAD … FORMAT PARQUET refuses them. */
const TEXT_ONLY = ['header', 'delimiter', 'null_as', 'addquotes', 'escape', 'gzip', 'bzip2', 'zstd'];

function flag(options: UnloadOptions, key: string, dflt: boolean): boolean {
  const v = options[key];
  if (v === undefined) return dflt;
  if (typeof v === 'boolean') return v;
  const s = String(v).toLowerCase();
  if (s === 'true' || s === 'on') return true;
  if (s === 'false' || s === 'off') return false;
  throw new Error(`the unload option ${key} must be true or false, not ${JSON.stringify(v)}`);
}

function text(options: UnloadOptions, key: string): string | undefined {
  const v = options[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !v) throw new Error(`the unload option ${key} must be a non-empty string, not ${JSON.stringify(v)}`);
  return v;
}

/** Sizes UNLOAD accepts, in MB: MAXFILESIZE 5 MB to 6.2 GB, ROWGROUPSIZE 32 to 128 MB. */
const SIZE_RANGES: Record<string, [number, number]> = { maxfilesize: [5, 6.2 * 1024], rowgroupsize: [32, 128] };

/** `100` (MB), `'100 mb'`, `'1.5 gb'` → `100 mb`. */
function size(options: UnloadOptions, key: string): string | undefined {
  const v = options[key];
  if (v === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(mb|gb)?\s*$/i.exec(String(v));
  if (!m) throw new Error(`the unload option ${key} must be a size like 100, '100 mb' or '1 gb', not ${JSON.stringify(v)}`);
  const unit = (m[2] ?? 'mb').toLowerCase();
  const mb = Number(m[1]) * (unit === 'gb' ? 1024 : 1);
  const [min, max] = SIZE_RANGES[key];
  if (mb < min || mb > max) throw new Error(`the unload option ${key} must be between ${min} MB and ${max >= 1024 ? `${max / 1024} GB` : `${max} MB`}, not ${m[1]} ${unit}`);
  return `${key} ${m[1]} ${unit}`;
}

/**
 * `unload ('<query>') to '<prefix>' iam_role '<arn>' format csv header … allowoverwrite parallel off`.
 * The query is a string literal on its own lines (so a trailing `-- comment`
 * ends before the closing quote). Defaults: csv with a header, one writer
 * (PARALLEL OFF: the files keep the query's ORDER BY), ALLOWOVERWRITE.
 */
export function renderUnload(d: Quoting, sql: string, location: string, format: 'csv' | 'parquet', options: UnloadOptions, defaults: UnloadDefaults = {}): string {
  const opts = Object.fromEntries(Object.entries(options).map(([k, v]) => [k.toLowerCase(), v]));
  if ('null' in opts) {
    opts.null_as = opts.null;
    delete opts.null;
  }
  if (flag(opts, 'manifest', false)) throw new Error('the unload option manifest is not supported: Spectrum would read the manifest in the data folder as data');
  delete opts.manifest;
  const unknown = Object.keys(opts).filter((k) => !KNOWN.includes(k));
  if (unknown.length) throw new Error(`unknown unload option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} for redshift (known: ${KNOWN.join(', ')})`);
  if (format === 'parquet') {
    const bad = TEXT_ONLY.filter((k) => opts[k] !== undefined && !(typeof opts[k] === 'boolean' && opts[k] === false));
    if (bad.length) throw new Error(`UNLOAD … FORMAT PARQUET does not take ${bad.join(', ')}`);
  }
  const { prefix, extension } = unloadPrefix(location);
  const iamRole = text(opts, 'iam_role') ?? defaults.iamRole;
  const parts: string[] = [];
  parts.push(`format ${format}`);
  if (format === 'csv') {
    if (flag(opts, 'header', true)) parts.push('header');
    const delimiter = text(opts, 'delimiter');
    if (delimiter !== undefined) {
      if ([...delimiter].length !== 1) throw new Error(`the unload option delimiter must be one character, not ${JSON.stringify(delimiter)}`);
      parts.push(`delimiter ${d.quoteString(delimiter)}`);
    }
    if (opts.null_as !== undefined) parts.push(`null as ${d.quoteString(String(opts.null_as))}`);
    if (flag(opts, 'addquotes', false)) parts.push('addquotes');
    if (flag(opts, 'escape', false)) parts.push('escape');
    const compression = ['gzip', 'bzip2', 'zstd'].filter((k) => flag(opts, k, false));
    if (compression.length > 1) throw new Error(`choose one of the unload options ${compression.join(', ')}`);
    parts.push(...compression);
  }
  // The location's extension names the files, unless they are compressed:
  // Redshift then appends .gz/.bz2/.zst itself, which is what Spectrum reads them by.
  const compressed = ['gzip', 'bzip2', 'zstd'].some((k) => format === 'csv' && flag(opts, k, false));
  const ext = opts.extension === false ? undefined : (text(opts, 'extension') ?? (format === 'csv' && !compressed ? extension : undefined));
  if (ext !== undefined) parts.push(`extension ${d.quoteString(ext.replace(/^\./, ''))}`);
  const kms = text(opts, 'kms_key_id');
  const encrypted = opts.encrypted === 'auto' ? 'auto' : flag(opts, 'encrypted', kms !== undefined);
  if (encrypted === 'auto') parts.push('encrypted auto');
  else if (encrypted) parts.push('encrypted');
  if (kms !== undefined) parts.push(`kms_key_id ${d.quoteString(kms)}`);
  const maxSize = size(opts, 'maxfilesize');
  if (maxSize) parts.push(maxSize);
  const rowGroup = size(opts, 'rowgroupsize');
  if (rowGroup) {
    if (format !== 'parquet') throw new Error('the unload option rowgroupsize applies to parquet only');
    parts.push(rowGroup);
  }
  const cleanpath = flag(opts, 'cleanpath', false);
  if (cleanpath && opts.allowoverwrite !== undefined && flag(opts, 'allowoverwrite', false)) {
    throw new Error('the unload options cleanpath and allowoverwrite exclude each other');
  }
  if (cleanpath) parts.push('cleanpath');
  else if (flag(opts, 'allowoverwrite', true)) parts.push('allowoverwrite');
  parts.push(`parallel ${flag(opts, 'parallel', false) ? 'on' : 'off'}`);
  const region = text(opts, 'region');
  return [
    `unload (${d.quoteString(`\n${sql}\n`)})`,
    `to ${d.quoteString(prefix)}`,
    !iamRole || iamRole.toLowerCase() === 'default' ? 'iam_role default' : `iam_role ${d.quoteString(iamRole)}`,
    ...(region ? [`region ${d.quoteString(region)}`] : []),
    parts.join(' '),
  ].join('\n');
}
