/**
 * A local S3 for tests (nothing here is product code): a node:http server
 * speaking the part of the S3 REST API that `@aws-sdk/lib-storage`'s Upload
 * uses — PutObject, CreateMultipartUpload, UploadPart,
 * CompleteMultipartUpload, AbortMultipartUpload — path-style
 * (`<endpoint>/<bucket>/<key>`, the SDK's `forcePathStyle`).
 *
 * Objects are files: `s3://<bucket>/<key>` is `<root>/<bucket>/<key>`, the
 * mapping of the Redshift stand-in (its s3.ts), so an object uploaded here is
 * what its UNLOAD, COPY and Spectrum tables see. A bucket is a directory
 * directly under the root and must exist (NoSuchBucket otherwise). Objects are
 * written under a temporary name outside the bucket and renamed into place,
 * so a reader sees the old object or the new one, as on S3. Uploads in
 * progress keep their parts in a hidden directory under the root
 * (`.s3-standin-*`: bucket names cannot start with a dot), removed by close().
 *
 * Any SigV4 `Authorization` header scoped to s3 is accepted (signatures are
 * not checked); none → 403 AccessDenied. Payload checks as S3 does them:
 * `x-amz-content-sha256` (when it is a hash), `Content-MD5`, and
 * `x-amz-checksum-crc32 / sha1 / sha256` (header or aws-chunked trailer) →
 * BadDigest / XAmzContentSHA256Mismatch on a mismatch.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import zlib from 'node:zlib';
import { bucketDir, localPath, S3Error } from '../redshift-standin/s3.js';

export type S3Operation = 'PutObject' | 'CreateMultipartUpload' | 'UploadPart' | 'CompleteMultipartUpload' | 'AbortMultipartUpload' | 'Unsupported';

/** An error response for matching requests (e.g. a part that fails, to see the upload aborted). */
export interface S3Fault {
  operation: S3Operation;
  /** S3 error code, e.g. AccessDenied, InternalError, SlowDown */
  code: string;
  status: number;
  message?: string;
  /** How many matching requests fail (default: all until the faults are replaced). */
  times?: number;
}

export interface S3StandinOptions {
  /** The directory holding the buckets (the Redshift stand-in's s3Root). */
  root: string;
  port?: number;
  faults?: S3Fault[];
}

export interface S3StandinStats {
  /** requests by operation */
  requests: Record<string, number>;
  /** objects written (PutObject and completed multipart uploads) */
  objectsWritten: number;
  bytesWritten: number;
  multipartCompleted: number;
  multipartAborted: number;
  /** error responses sent (faults included) */
  errors: number;
  /** multipart uploads created and not yet completed or aborted */
  readonly uploadsInProgress: number;
}

export interface S3Standin {
  /** http://127.0.0.1:<port> — for AWS_ENDPOINT_URL_S3, or the S3 client's `endpoint` with `forcePathStyle: true` */
  endpoint: string;
  stats: S3StandinStats;
  /** Replaces the faults. */
  setFaults(faults: S3Fault[]): void;
  close(): Promise<void>;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;

interface Part {
  file: string;
  etag: string;
  md5: Buffer;
  size: number;
  checksums: Record<string, string>;
}

interface MultipartUpload {
  bucket: string;
  key: string;
  /** CRC32, SHA256…: the algorithm CreateMultipartUpload named; Complete must then give each part's checksum */
  checksumAlgorithm?: string;
  parts: Map<number, Part>;
}

class S3Failure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const xmlUnescape = (s: string) =>
  s
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function xmlDocument(root: string, fields: Record<string, string | undefined>, ns = true): string {
  const body = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${xmlEscape(v!)}</${k}>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns ? ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"' : ''}>${body}</${root}>`;
}

/** Checksums S3 verifies, by the header's algorithm name. CRC32C and CRC64NVME are accepted unchecked. */
function checksum(algorithm: string, data: Buffer): string | undefined {
  switch (algorithm) {
    case 'crc32': {
      const crc32 = (zlib as unknown as { crc32?: (d: Buffer) => number }).crc32;
      if (!crc32) return undefined;
      const b = Buffer.alloc(4);
      b.writeUInt32BE(crc32(data) >>> 0);
      return b.toString('base64');
    }
    case 'sha1':
      return createHash('sha1').update(data).digest('base64');
    case 'sha256':
      return createHash('sha256').update(data).digest('base64');
    default:
      return undefined;
  }
}

/** The payload of an `aws-chunked` body (`<hex size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailers>\r\n\r\n`) and its trailers. */
function decodeAwsChunked(raw: Buffer): { data: Buffer; trailers: Record<string, string> } {
  const chunks: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', pos);
    if (eol < 0) throw new S3Failure(400, 'IncompleteBody', 'The request body terminated unexpectedly');
    const size = parseInt(raw.subarray(pos, eol).toString('latin1').split(';')[0], 16);
    if (!Number.isFinite(size) || size < 0) throw new S3Failure(400, 'InvalidChunkSizeError', 'Only the last chunk is allowed to have a size less than 8192 bytes');
    pos = eol + 2;
    if (size === 0) break;
    if (pos + size > raw.length) throw new S3Failure(400, 'IncompleteBody', 'The request body terminated unexpectedly');
    chunks.push(raw.subarray(pos, pos + size));
    pos += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.subarray(pos).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { data: Buffer.concat(chunks), trailers };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The request's payload, decoded and checked as S3 does; returns the checksums it carried (x-amz-checksum-*). */
function payload(req: IncomingMessage, raw: Buffer): { data: Buffer; checksums: Record<string, string> } {
  const h = req.headers;
  const contentSha = String(h['x-amz-content-sha256'] ?? '');
  const chunked = /aws-chunked/i.test(String(h['content-encoding'] ?? '')) || contentSha.startsWith('STREAMING-');
  let data = raw;
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (typeof v === 'string') fields[k] = v;
  if (chunked) {
    const decoded = decodeAwsChunked(raw);
    data = decoded.data;
    Object.assign(fields, decoded.trailers);
    const declared = h['x-amz-decoded-content-length'];
    if (declared !== undefined && Number(declared) !== data.length) throw new S3Failure(400, 'IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header');
  } else if (/^[0-9a-f]{64}$/i.test(contentSha) && createHash('sha256').update(data).digest('hex') !== contentSha.toLowerCase()) {
    throw new S3Failure(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const md5 = h['content-md5'];
  if (typeof md5 === 'string' && createHash('md5').update(data).digest('base64') !== md5) {
    throw new S3Failure(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  const checksums: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    const m = /^x-amz-checksum-([a-z0-9]+)$/.exec(name);
    if (!m || m[1] === 'type' || m[1] === 'algorithm') continue;
    const computed = checksum(m[1], data);
    if (computed !== undefined && computed !== value) {
      throw new S3Failure(400, 'BadDigest', `The ${m[1].toUpperCase()} you specified did not match the calculated checksum.`);
    }
    checksums[m[1]] = value;
  }
  return { data, checksums };
}

function operationOf(method: string, query: URLSearchParams, headers: IncomingMessage['headers']): S3Operation {
  const copy = headers['x-amz-copy-source'] !== undefined;
  if (method === 'PUT' && query.has('partNumber') && query.has('uploadId') && !copy) return 'UploadPart';
  if (method === 'PUT' && [...query.keys()].filter((k) => !k.startsWith('x-id')).length === 0 && !copy) return 'PutObject';
  if (method === 'POST' && query.has('uploads')) return 'CreateMultipartUpload';
  if (method === 'POST' && query.has('uploadId')) return 'CompleteMultipartUpload';
  if (method === 'DELETE' && query.has('uploadId')) return 'AbortMultipartUpload';
  return 'Unsupported';
}

export async function startS3Standin(opts: S3StandinOptions): Promise<S3Standin> {
  const root = opts.root;
  const staging = mkdtempSync(join(root, '.s3-standin-'));
  const uploads = new Map<string, MultipartUpload>();
  let faults = (opts.faults ?? []).map((f) => ({ ...f }));
  const stats: S3StandinStats = {
    requests: {},
    objectsWritten: 0,
    bytesWritten: 0,
    multipartCompleted: 0,
    multipartAborted: 0,
    errors: 0,
    get uploadsInProgress() {
      return uploads.size;
    },
  };

  const tempName = () => join(staging, `obj-${randomBytes(8).toString('hex')}`);

  /** The object's file; NoSuchBucket when the bucket's directory is missing. */
  function objectPath(bucket: string, key: string): string {
    try {
      bucketDir(root, bucket);
    } catch (e) {
      if (e instanceof S3Error) throw new S3Failure(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
      throw e;
    }
    if (!key) throw new S3Failure(400, 'InvalidRequest', 'This operation needs an object key (path-style: /<bucket>/<key>)');
    if (key.endsWith('/')) throw new S3Failure(400, 'NotImplemented', 'The S3 stand-in stores objects as files: a key ending in / is not supported');
    try {
      return localPath(root, `s3://${bucket}/${key}`);
    } catch (e) {
      if (e instanceof S3Error) throw new S3Failure(400, 'InvalidArgument', `The S3 stand-in cannot store the key ${key}: ${e.message}`);
      throw e;
    }
  }

  /** Moves a finished temporary file into place (one rename: readers see the old object or the new one). */
  function publish(temp: string, target: string): void {
    try {
      mkdirSync(dirname(target), { recursive: true });
      if (statSync(target, { throwIfNoEntry: false })?.isDirectory()) throw new Error('a directory of that name holds other objects');
      renameSync(temp, target);
    } catch (e) {
      rmSync(temp, { force: true });
      throw new S3Failure(409, 'InvalidRequest', `The S3 stand-in cannot store this key as a file: ${(e as Error).message}`);
    }
  }

  function upload(id: string | null, bucket: string, key: string): MultipartUpload {
    const u = id ? uploads.get(id) : undefined;
    if (!u || u.bucket !== bucket || u.key !== key) {
      throw new S3Failure(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: id ?? '' });
    }
    return u;
  }

  function dropUpload(id: string): void {
    uploads.delete(id);
    rmSync(join(staging, `mpu-${id}`), { recursive: true, force: true });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, op: S3Operation, bucket: string, key: string, query: URLSearchParams): Promise<void> {
    const auth = req.headers.authorization;
    if (!auth) throw new S3Failure(403, 'AccessDenied', 'Access Denied');
    if (!auth.startsWith('AWS4-HMAC-SHA256 ')) throw new S3Failure(400, 'InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
    const scope = /Credential=[^/,\s]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
    if (!scope) throw new S3Failure(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed; the Credential is mal-formed.');
    if (scope[2] !== 's3') throw new S3Failure(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; incorrect service "${scope[2]}". This endpoint belongs to "s3".`);

    const fault = faults.find((f) => f.operation === op && (f.times === undefined || f.times > 0));
    if (fault) {
      if (fault.times !== undefined) fault.times--;
      await readBody(req);
      throw new S3Failure(fault.status, fault.code, fault.message ?? `injected ${fault.code}`);
    }
    if (op === 'Unsupported') {
      await readBody(req);
      throw new S3Failure(501, 'NotImplemented', `The S3 stand-in implements PutObject and multipart uploads only (${req.method} ${req.url})`);
    }
    const target = objectPath(bucket, key);
    const raw = await readBody(req);

    switch (op) {
      case 'PutObject': {
        const { data, checksums } = payload(req, raw);
        const temp = tempName();
        writeFileSync(temp, data);
        publish(temp, target);
        stats.objectsWritten++;
        stats.bytesWritten += data.length;
        const headers: Record<string, string> = { ETag: `"${createHash('md5').update(data).digest('hex')}"` };
        for (const [alg, value] of Object.entries(checksums)) headers[`x-amz-checksum-${alg}`] = value;
        send(res, 200, '', headers);
        return;
      }
      case 'CreateMultipartUpload': {
        const id = randomBytes(24).toString('base64url');
        const algorithm = req.headers['x-amz-checksum-algorithm'];
        uploads.set(id, { bucket, key, checksumAlgorithm: typeof algorithm === 'string' ? algorithm.toUpperCase() : undefined, parts: new Map() });
        mkdirSync(join(staging, `mpu-${id}`));
        const headers: Record<string, string> = {};
        if (typeof algorithm === 'string') headers['x-amz-checksum-algorithm'] = algorithm.toUpperCase();
        send(res, 200, xmlDocument('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: id }), headers);
        return;
      }
      case 'UploadPart': {
        const u = upload(query.get('uploadId'), bucket, key);
        const n = Number(query.get('partNumber'));
        if (!Number.isInteger(n) || n < 1 || n > MAX_PART_NUMBER) {
          throw new S3Failure(400, 'InvalidArgument', `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, { ArgumentName: 'partNumber', ArgumentValue: String(query.get('partNumber')) });
        }
        const { data, checksums } = payload(req, raw);
        const md5 = createHash('md5').update(data).digest();
        const file = join(staging, `mpu-${query.get('uploadId')}`, String(n));
        writeFileSync(file, data);
        u.parts.set(n, { file, etag: md5.toString('hex'), md5, size: data.length, checksums });
        const headers: Record<string, string> = { ETag: `"${md5.toString('hex')}"` };
        for (const [alg, value] of Object.entries(checksums)) headers[`x-amz-checksum-${alg}`] = value;
        send(res, 200, '', headers);
        return;
      }
      case 'CompleteMultipartUpload': {
        const id = query.get('uploadId')!;
        const u = upload(id, bucket, key);
        const xml = raw.toString('utf8');
        if (!/<CompleteMultipartUpload[\s>]/.test(xml)) throw new S3Failure(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
        const listed = [...xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => {
          const field = (name: string) => {
            const f = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(m[1]);
            return f ? xmlUnescape(f[1]).trim() : undefined;
          };
          return { number: Number(field('PartNumber')), etag: (field('ETag') ?? '').replace(/"/g, ''), field };
        });
        if (!listed.length) throw new S3Failure(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
        const chosen: Part[] = [];
        listed.forEach((p, i) => {
          if (i > 0 && p.number <= listed[i - 1].number) throw new S3Failure(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.', { UploadId: id });
          const part = u.parts.get(p.number);
          if (!part || part.etag !== p.etag) {
            throw new S3Failure(400, 'InvalidPart', 'One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.', { UploadId: id, PartNumber: String(p.number), ETag: p.etag });
          }
          if (u.checksumAlgorithm) {
            const given = p.field(`Checksum${u.checksumAlgorithm}`);
            if (!given) throw new S3Failure(400, 'InvalidRequest', `The upload was created using a ${u.checksumAlgorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${p.number} in the request.`);
            const stored = part.checksums[u.checksumAlgorithm.toLowerCase()];
            if (stored !== undefined && stored !== given) throw new S3Failure(400, 'InvalidPart', `The checksum of part ${p.number} does not match the checksum of the uploaded part.`, { UploadId: id, PartNumber: String(p.number) });
          }
          chosen.push(part);
        });
        chosen.forEach((part, i) => {
          if (i < chosen.length - 1 && part.size < MIN_PART_SIZE) {
            throw new S3Failure(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', { ProposedSize: String(part.size), MinSizeAllowed: String(MIN_PART_SIZE), PartNumber: String(listed[i].number), ETag: part.etag });
          }
        });
        const temp = tempName();
        writeFileSync(temp, '');
        let size = 0;
        for (const part of chosen) {
          appendFileSync(temp, readFileSync(part.file));
          size += part.size;
        }
        publish(temp, target);
        dropUpload(id);
        stats.objectsWritten++;
        stats.bytesWritten += size;
        stats.multipartCompleted++;
        const etag = `"${createHash('md5').update(Buffer.concat(chosen.map((p) => p.md5))).digest('hex')}-${chosen.length}"`;
        const host = req.headers.host ?? 'localhost';
        const location = `http://${host}/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
        send(res, 200, xmlDocument('CompleteMultipartUploadResult', { Location: location, Bucket: bucket, Key: key, ETag: etag }));
        return;
      }
      case 'AbortMultipartUpload': {
        const id = query.get('uploadId')!;
        upload(id, bucket, key);
        dropUpload(id);
        stats.multipartAborted++;
        send(res, 204, '');
        return;
      }
    }
  }

  function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    const all: Record<string, string> = {
      'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
      'x-amz-id-2': randomBytes(24).toString('base64'),
      Server: 'AmazonS3',
      ...headers,
    };
    if (body) all['Content-Type'] = 'application/xml';
    all['Content-Length'] = String(Buffer.byteLength(body));
    res.writeHead(status, all);
    res.end(body);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    const path = url.pathname.replace(/^\/+/, '');
    const slash = path.indexOf('/');
    let bucket = '';
    let key = '';
    try {
      bucket = decodeURIComponent(slash < 0 ? path : path.slice(0, slash));
      key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
    } catch {
      // a malformed escape: handled below as an invalid request
    }
    const op = operationOf(req.method ?? 'GET', url.searchParams, req.headers);
    stats.requests[op] = (stats.requests[op] ?? 0) + 1;
    handle(req, res, op, bucket, key, url.searchParams).catch((e: unknown) => {
      stats.errors++;
      const f = e instanceof S3Failure ? e : new S3Failure(500, 'InternalError', `We encountered an internal error. Please try again. (${(e as Error)?.message ?? e})`);
      const requestId = randomBytes(8).toString('hex').toUpperCase();
      const body = xmlDocument('Error', { Code: f.code, Message: f.message, ...f.extra, Resource: url.pathname, RequestId: requestId }, false);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const answer = () => send(res, f.status, body, { 'x-amz-request-id': requestId });
      // the request's body may still be arriving (an error found from the path alone): read it to its end, then answer
      if (req.complete) answer();
      else req.resume().once('end', answer);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    setFaults(next) {
      faults = next.map((f) => ({ ...f }));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      uploads.clear();
      rmSync(staging, { recursive: true, force: true });
    },
  };
}
