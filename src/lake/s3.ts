import { createReadStream, statSync } from 'node:fs';
import type { S3ClientConfig } from '@aws-sdk/client-s3';

/**
 * Uploads of local files to S3, for lake files that tsql writes itself
 * (Postgres unloads). lib-storage's Upload sends a small file as one
 * PutObject and a big one as a multipart upload (parts in parallel, the
 * upload aborted when a part fails). Either way the object appears only when
 * it is complete: until then readers see the previous object, if any.
 *
 * Credentials come from the AWS default chain (environment, shared files,
 * SSO, web identity, container and instance roles). The SDK also reads the
 * standard endpoint settings itself (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL,
 * `endpoint_url` in the shared config file).
 */

export interface S3Location {
  bucket: string;
  key: string;
}

const DEFAULT_REGION = 'us-east-1';
/** S3's limit on a key's length, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

export function isS3Url(url: string): boolean {
  return /^s3:\/\//i.test(url);
}

/** `s3://bucket/key` → its bucket and key; a clear error for anything that cannot name one object. */
export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/is.exec(url);
  if (!m) throw new Error(`invalid S3 location ${JSON.stringify(url)}: expected s3://bucket/key`);
  const bucket = m[1];
  const key = m[2] ?? '';
  if (!bucket) throw new Error(`invalid S3 location ${JSON.stringify(url)}: the bucket name is missing (s3://bucket/key)`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]$/.test(bucket) || bucket.length < 3 || bucket.length > 255) {
    throw new Error(`invalid S3 location ${JSON.stringify(url)}: ${JSON.stringify(bucket)} is not a valid bucket name`);
  }
  if (!key) throw new Error(`invalid S3 location ${JSON.stringify(url)}: the object key is missing (s3://bucket/key)`);
  if (key.endsWith('/')) throw new Error(`invalid S3 location ${JSON.stringify(url)}: names a folder, not an object (the key ends with /)`);
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new Error(`invalid S3 location ${JSON.stringify(url)}: the key is longer than ${MAX_KEY_BYTES} bytes`);
  return { bucket, key };
}

export interface S3UploadOptions {
  /** Default: AWS_REGION, AWS_DEFAULT_REGION, the region of the shared config file's profile, else us-east-1. */
  region?: string;
  /**
   * Another endpoint than AWS's (MinIO, LocalStack, a test stand-in). Default:
   * the SDK's own settings (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the shared
   * config file). A custom endpoint given here or in the environment is
   * addressed path-style (`<endpoint>/<bucket>/<key>`).
   */
  endpoint?: string;
  /** Default: the AWS default credential chain. */
  credentials?: S3ClientConfig['credentials'];
  /** Bytes per part of a multipart upload (at least 5 MiB; files up to this size go in one PutObject). */
  partSize?: number;
  /** Parts uploaded in parallel (default 4). */
  queueSize?: number;
  contentType?: string;
  /** Attempts per request by the SDK's retry (throttling, 5xx, network errors); default 3. */
  maxAttempts?: number;
}

export interface S3UploadResult {
  url: string;
  bytes: number;
  etag?: string;
}

/** The endpoint the SDK takes from the environment for S3, if any (it reads these itself; we need to know for path-style). */
function environmentEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  if ((env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '').toLowerCase() === 'true') return undefined;
  return env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}

/** The SDK for JavaScript reads AWS_REGION and the shared config file, not AWS_DEFAULT_REGION; S3 needs some region to sign. */
async function resolveRegion(explicit: string | undefined): Promise<string> {
  const fromEnv = explicit || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  const { S3Client } = await import('@aws-sdk/client-s3');
  const probe = new S3Client({});
  try {
    return (await probe.config.region()) || DEFAULT_REGION;
  } catch {
    return DEFAULT_REGION;
  } finally {
    probe.destroy();
  }
}

/**
 * Uploads `localFile` to `s3Url` (s3://bucket/key), replacing the object there.
 * Throws one line, `cannot upload to s3://bucket/key: <Code>: <message>`, without credentials.
 */
export async function uploadFileToS3(localFile: string, s3Url: string, opts: S3UploadOptions = {}): Promise<S3UploadResult> {
  const { bucket, key } = parseS3Url(s3Url);
  const url = `s3://${bucket}/${key}`;
  let bytes: number;
  try {
    bytes = statSync(localFile).size;
  } catch (e) {
    throw new Error(`cannot upload to ${url}: ${oneLine(e, opts)}`);
  }
  // tsql supports Node 20 and pins the SDK in its lock file: the SDK's notice that its
  // releases after January 2027 need Node 22 is not for tsql's users (the user's own setting wins).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const customEndpoint = opts.endpoint ?? environmentEndpoint(process.env);
  // the SDK loads on the first upload, not on every tsql start
  const [{ S3Client }, { Upload }] = await Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]);
  const client = new S3Client({
    region: await resolveRegion(opts.region),
    endpoint: opts.endpoint,
    credentials: opts.credentials,
    forcePathStyle: customEndpoint !== undefined,
    // a bucket in another region than the one configured: follow S3's redirect instead of failing
    followRegionRedirects: true,
    maxAttempts: opts.maxAttempts,
  });
  try {
    const upload = new Upload({
      client,
      params: {
        Bucket: bucket,
        Key: key,
        Body: createReadStream(localFile),
        ContentLength: bytes,
        ContentType: opts.contentType,
      },
      partSize: opts.partSize,
      queueSize: opts.queueSize,
    });
    const out = await upload.done();
    return { url, bytes, etag: out.ETag };
  } catch (e) {
    throw new Error(`cannot upload to ${url}: ${oneLine(e, opts)}`);
  } finally {
    client.destroy();
  }
}

/** An SDK, network or file error as `<Code>: <message>` on one line, with anything secret blanked out. */
function oneLine(e: unknown, opts: S3UploadOptions): string {
  let text: string;
  if (e instanceof Error) {
    const err = e as Error & { code?: unknown; Code?: unknown; $metadata?: { httpStatusCode?: number } };
    const label = typeof err.Code === 'string' ? err.Code : err.name && err.name !== 'Error' ? err.name : typeof err.code === 'string' ? err.code : '';
    let message = err.message || '';
    const status = err.$metadata?.httpStatusCode;
    // an error response without a body (S3 sends none for HEAD, proxies send HTML): the status is all there is
    if ((!message || message === 'UnknownError') && status) message = `HTTP ${status}`;
    text = label && !message.startsWith(label) ? `${label}: ${message}` : message || label || 'unknown error';
  } else {
    text = String(e);
  }
  return redact(text.replace(/\s+/g, ' ').trim(), opts);
}

function redact(text: string, opts: S3UploadOptions): string {
  const secrets = [process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY, process.env.AWS_SESSION_TOKEN];
  const c = opts.credentials;
  if (c && typeof c === 'object') secrets.push(c.accessKeyId, c.secretAccessKey, c.sessionToken);
  let out = text.replace(/\b(X-Amz-Credential|X-Amz-Signature|X-Amz-Security-Token|Credential|Signature)=[^\s&,]+/gi, '$1=***');
  for (const s of secrets) if (s && s.length >= 8) out = out.split(s).join('***');
  return out;
}
