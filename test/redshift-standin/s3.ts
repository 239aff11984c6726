/**
 * The stand-in's S3: a local directory. `s3://<bucket>/<key>` is the file
 * `<s3Root>/<bucket>/<key>`; a bucket is a directory directly under the root
 * and must exist (create it before use, as you would create the bucket).
 * Keys are paths relative to the bucket directory with `/` separators.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface S3Object {
  /** s3://bucket/key */
  url: string;
  key: string;
  /** local file */
  path: string;
  size: number;
}

export class S3Error extends Error {}

export function parseS3Url(url: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new S3Error(`invalid S3 path: ${url}`);
  const key = m[2];
  if (key.split('/').some((seg) => seg === '..')) throw new S3Error(`invalid S3 key: ${url}`);
  return { bucket: m[1], key };
}

export function bucketDir(s3Root: string, bucket: string): string {
  const dir = join(s3Root, bucket);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new S3Error(`S3ServiceException:The specified bucket does not exist,Status 404,Error NoSuchBucket,Bucket ${bucket}`);
  return dir;
}

/** The local path of an object (the bucket must exist). */
export function localPath(s3Root: string, url: string): string {
  const { bucket, key } = parseS3Url(url);
  return join(bucketDir(s3Root, bucket), ...key.split('/').filter(Boolean));
}

function walk(dir: string, rel: string, out: Array<{ key: string; path: string; size: number }>): void {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e);
    const k = rel ? `${rel}/${e}` : e;
    const st = statSync(p);
    if (st.isDirectory()) walk(p, k, out);
    else if (st.isFile()) out.push({ key: k, path: p, size: st.size });
  }
}

/** Every object whose key starts with the key of `url` (S3 prefix semantics), sorted by key. */
export function listPrefix(s3Root: string, url: string): S3Object[] {
  const { bucket, key } = parseS3Url(url);
  const root = bucketDir(s3Root, bucket);
  const slash = key.lastIndexOf('/');
  const dirKey = slash >= 0 ? key.slice(0, slash) : '';
  const found: Array<{ key: string; path: string; size: number }> = [];
  walk(dirKey ? join(root, ...dirKey.split('/')) : root, dirKey, found);
  return found
    .filter((o) => o.key.startsWith(key))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((o) => ({ ...o, url: `s3://${bucket}/${o.key}` }));
}

/**
 * The data files of a Spectrum location (a folder): every object below it, in
 * subfolders too, except hidden ones (a path segment below the location that
 * starts with `.` or `_`), as Redshift Spectrum reads them.
 */
export function listSpectrumFiles(s3Root: string, location: string): S3Object[] {
  const folder = location.endsWith('/') ? location : `${location}/`;
  const prefixKey = parseS3Url(folder).key;
  return listPrefix(s3Root, folder).filter((o) =>
    o.key
      .slice(prefixKey.length)
      .split('/')
      .every((seg) => !seg.startsWith('.') && !seg.startsWith('_')),
  );
}
