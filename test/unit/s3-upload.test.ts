/**
 * src/lake/s3.ts through the real AWS SDK client (@aws-sdk/client-s3 and
 * lib-storage's Upload) against the local S3 stand-in (test/s3-standin).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseS3Url, uploadFileToS3, type S3UploadOptions } from '../../src/lake/s3.js';
import { startS3Standin, type S3Standin } from '../s3-standin/server.js';

const BUCKET = 'tsql-lake';
const SECRET = 'test-secret-key-0123456789';
let root = '';
let files = '';
let s3: S3Standin;
let opts: S3UploadOptions;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tsql-s3-unit-'));
  files = mkdtempSync(join(tmpdir(), 'tsql-s3-files-'));
  mkdirSync(join(root, BUCKET));
  s3 = await startS3Standin({ root });
  opts = { endpoint: s3.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIATESTKEY0001', secretAccessKey: SECRET }, maxAttempts: 1 };
});

afterAll(async () => {
  await s3?.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(files, { recursive: true, force: true });
});

afterEach(() => s3.setFaults([]));

function localFile(name: string, content: Buffer | string): string {
  const p = join(files, name);
  writeFileSync(p, content);
  return p;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('parseS3Url', () => {
  it('splits s3://bucket/key', () => {
    expect(parseS3Url('s3://tsql-lake/lake/stage/x.csv')).toEqual({ bucket: 'tsql-lake', key: 'lake/stage/x.csv' });
    expect(parseS3Url('s3://my.bucket-1/k')).toEqual({ bucket: 'my.bucket-1', key: 'k' });
  });

  it.each([
    ['https://tsql-lake/x.csv', /expected s3:\/\/bucket\/key/],
    ['s3://', /bucket name is missing/],
    ['s3:///x.csv', /bucket name is missing/],
    ['s3://tsql-lake', /object key is missing/],
    ['s3://tsql-lake/', /object key is missing/],
    ['s3://tsql-lake/stage/', /names a folder/],
    ['s3://b/x.csv', /not a valid bucket name/],
    ['s3://bad bucket/x.csv', /not a valid bucket name/],
    [`s3://tsql-lake/${'k'.repeat(1025)}`, /longer than 1024 bytes/],
  ])('refuses %s', (url, message) => {
    expect(() => parseS3Url(url)).toThrow(message);
  });

  it('uploadFileToS3 refuses a bad URL before any request', async () => {
    const before = { ...s3.stats.requests };
    await expect(uploadFileToS3(localFile('bad.csv', 'a\n'), 's3://tsql-lake/dir/', opts)).rejects.toThrow(/^invalid S3 location "s3:\/\/tsql-lake\/dir\/": names a folder/);
    expect(s3.stats.requests).toEqual(before);
  });
});

describe('uploadFileToS3', () => {
  it('uploads a small file with one PutObject', async () => {
    const content = 'customerid,amount\n1,2.5\n2,"x, y"\n';
    const before = { put: s3.stats.requests.PutObject ?? 0, create: s3.stats.requests.CreateMultipartUpload ?? 0 };
    const r = await uploadFileToS3(localFile('small.csv', content), `s3://${BUCKET}/lake/stage/small.csv`, { ...opts, contentType: 'text/csv' });
    expect(r).toEqual({ url: `s3://${BUCKET}/lake/stage/small.csv`, bytes: Buffer.byteLength(content), etag: `"${createHash('md5').update(content).digest('hex')}"` });
    expect(readFileSync(join(root, BUCKET, 'lake', 'stage', 'small.csv'), 'utf8')).toBe(content);
    expect((s3.stats.requests.PutObject ?? 0) - before.put).toBe(1);
    expect((s3.stats.requests.CreateMultipartUpload ?? 0) - before.create).toBe(0);
  });

  it('uploads an empty file', async () => {
    await uploadFileToS3(localFile('empty.csv', ''), `s3://${BUCKET}/empty.csv`, opts);
    expect(readFileSync(join(root, BUCKET, 'empty.csv')).length).toBe(0);
  });

  it('uploads a file over 5 MiB as a multipart upload, replacing the object', async () => {
    const key = 'lake/big/data.bin';
    mkdirSync(join(root, BUCKET, 'lake', 'big'), { recursive: true });
    writeFileSync(join(root, BUCKET, key), 'old');
    const content = randomBytes(12 * 1024 * 1024 + 123);
    const before = { ...s3.stats.requests };
    const r = await uploadFileToS3(localFile('big.bin', content), `s3://${BUCKET}/${key}`, opts);
    expect(r.bytes).toBe(content.length);
    expect(r.etag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect(sha(readFileSync(join(root, BUCKET, key)))).toBe(sha(content));
    const delta = (op: string) => (s3.stats.requests[op] ?? 0) - (before[op] ?? 0);
    expect(delta('CreateMultipartUpload')).toBe(1);
    expect(delta('UploadPart')).toBe(3);
    expect(delta('CompleteMultipartUpload')).toBe(1);
    expect(delta('PutObject')).toBe(0);
    expect(s3.stats.uploadsInProgress).toBe(0);
    // nothing else was left in the bucket (the object is written under a temporary name outside it)
    expect(readdirSync(join(root, BUCKET, 'lake', 'big'))).toEqual(['data.bin']);
  });

  it('a part that fails aborts the multipart upload and leaves the previous object', async () => {
    const key = 'lake/atomic.bin';
    writeFileSync(join(root, BUCKET, key), 'previous');
    s3.setFaults([{ operation: 'UploadPart', status: 403, code: 'AccessDenied', message: 'Access Denied' }]);
    const abortedBefore = s3.stats.multipartAborted;
    await expect(uploadFileToS3(localFile('atomic.bin', randomBytes(11 * 1024 * 1024)), `s3://${BUCKET}/${key}`, opts)).rejects.toThrow(
      /^cannot upload to s3:\/\/tsql-lake\/lake\/atomic\.bin: AccessDenied: Access Denied$/,
    );
    expect(readFileSync(join(root, BUCKET, key), 'utf8')).toBe('previous');
    expect(s3.stats.multipartAborted - abortedBefore).toBe(1);
    expect(s3.stats.uploadsInProgress).toBe(0);
  });

  it('a missing bucket is one clear line', async () => {
    const err = await uploadFileToS3(localFile('nb.csv', 'a\n'), 's3://no-such-bucket/x/y.csv', opts).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('cannot upload to s3://no-such-bucket/x/y.csv: NoSuchBucket: The specified bucket does not exist');
    expect(existsSync(join(root, 'no-such-bucket'))).toBe(false);
  });

  it('never puts credentials in the error', async () => {
    s3.setFaults([
      {
        operation: 'PutObject',
        status: 403,
        code: 'SignatureDoesNotMatch',
        message: `The request signature we calculated does not match. Credential=AKIATESTKEY0001/20240103/us-east-1/s3/aws4_request, key ${SECRET}`,
      },
    ]);
    const err = (await uploadFileToS3(localFile('sig.csv', 'a\n'), `s3://${BUCKET}/sig.csv`, opts).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/^cannot upload to s3:\/\/tsql-lake\/sig\.csv: SignatureDoesNotMatch: The request signature/);
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain('AKIATESTKEY0001');
    expect(err.message).not.toContain('\n');
  });

  it('an unreachable endpoint is one line too', async () => {
    const err = (await uploadFileToS3(localFile('down.csv', 'a\n'), `s3://${BUCKET}/down.csv`, { ...opts, endpoint: 'http://127.0.0.1:9' }).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/^cannot upload to s3:\/\/tsql-lake\/down\.csv: .*ECONNREFUSED/);
    expect(err.message).not.toContain('\n');
  });

  it('a missing local file is one line', async () => {
    await expect(uploadFileToS3(join(files, 'nope.csv'), `s3://${BUCKET}/nope.csv`, opts)).rejects.toThrow(/^cannot upload to s3:\/\/tsql-lake\/nope\.csv: ENOENT/);
  });

  it('takes the endpoint, credentials and region from the environment (AWS_ENDPOINT_URL_S3, path-style)', async () => {
    const names = ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'];
    const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
    try {
      for (const n of names) delete process.env[n];
      // `localhost`, not an IP address: the SDK would address the bucket as a host name (tsql-lake.localhost) without path-style
      process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint.replace('127.0.0.1', 'localhost');
      process.env.AWS_ACCESS_KEY_ID = 'AKIATESTKEY0002';
      process.env.AWS_SECRET_ACCESS_KEY = SECRET;
      process.env.AWS_DEFAULT_REGION = 'eu-west-1';
      // no shared config files: region and credentials come from the variables above
      process.env.AWS_CONFIG_FILE = join(files, 'no-config');
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(files, 'no-credentials');
      await uploadFileToS3(localFile('env.csv', 'from env\n'), `s3://${BUCKET}/env/env.csv`);
      expect(readFileSync(join(root, BUCKET, 'env', 'env.csv'), 'utf8')).toBe('from env\n');
    } finally {
      for (const n of names) {
        if (saved[n] === undefined) delete process.env[n];
        else process.env[n] = saved[n];
      }
    }
  });
});

describe('the S3 stand-in', () => {
  it('requires a SigV4 Authorization header and answers errors in S3 XML', async () => {
    const r = await fetch(`${s3.endpoint}/${BUCKET}/x.csv`, { method: 'PUT', body: 'a' });
    expect(r.status).toBe(403);
    const body = await r.text();
    expect(body).toContain('<Code>AccessDenied</Code>');
    expect(body).toContain('<Message>Access Denied</Message>');
    expect(existsSync(join(root, BUCKET, 'x.csv'))).toBe(false);
  });
});
