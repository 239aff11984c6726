/**
 * The Snowflake REST protocol's shared shapes (test only): the JSON envelope
 * every endpoint answers with, the service's error codes the sdk reacts to,
 * request-body decoding, and the stand-in's statistics.
 */
import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** Every JSON answer: `{ data, code, message, success }` (HTTP 200 unless said otherwise). */
export interface Envelope {
  data: unknown;
  code: string | null;
  message: string | null;
  success: boolean;
  headers?: null;
}

export function ok(data: unknown = null): Envelope {
  return { data, code: null, message: null, success: true, headers: null };
}

export function fail(code: string, message: string, data: unknown = null): Envelope {
  return { data, code, message, success: false, headers: null };
}

/** Error and status codes as the service sends them (GS codes the sdk branches on). */
export const Codes = {
  INCORRECT_USERNAME_PASSWORD: '390100',
  SESSION_TOKEN_INVALID: '390104',
  GONE_SESSION: '390111',
  SESSION_TOKEN_EXPIRED: '390112',
  MASTER_TOKEN_INVALID: '390115',
  JWT_TOKEN_INVALID: '390144',
  OAUTH_TOKEN_INVALID: '390303',
  QUERY_IN_PROGRESS: '333333',
  QUERY_IN_PROGRESS_ASYNC: '333334',
  INTERNAL_ERROR: '000603',
  CANCELED: '000604',
  NOT_EXECUTING: '000605',
  NO_SUCH_QUERY: '000709',
  SYNTAX_ERROR: '001003',
  BIND_ERROR: '002049',
} as const;

export const Messages = {
  INCORRECT_USERNAME_PASSWORD: 'Incorrect username or password was specified.',
  SESSION_TOKEN_INVALID: 'User must login again to access the service.',
  GONE_SESSION: 'Session no longer exists.  New login required to access the service.',
  SESSION_TOKEN_EXPIRED: 'Session token has expired.',
  CANCELED: 'SQL execution canceled',
} as const;

/** A request body: the sdk gzips JSON bodies (Content-Encoding: gzip, not always set in time), so go by the bytes. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  let bytes = Buffer.concat(parts);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const text = bytes.toString('utf8').trim();
  if (text === '') return undefined;
  return JSON.parse(text) as unknown;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `Authorization: Snowflake Token="<token>"` → the token. */
export function tokenOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const m = header === undefined ? null : /^Snowflake Token="([^"]*)"$/.exec(header);
  return m?.[1] || undefined;
}

export interface QueryStat {
  sqlText: string;
  requestId: string;
  queryId: string;
  /** the query-request's bindings, as received */
  bindings?: Record<string, unknown>;
}

/** How a statement was aborted: abort-request by requestId or by query id, or the end of its session. */
export type AbortVia = 'requestId' | 'queryId' | 'session';

export interface Stats {
  /** successful logins */
  logins: number;
  /** logins refused (wrong password, bad token, malformed request) */
  loginFailures: number;
  /** statements received, in order (a resent requestId is not counted again) */
  queries: QueryStat[];
  /** query-requests answered from an earlier request with the same requestId */
  dedupedRequests: number;
  /** statements aborted while running */
  aborts: Array<{ sqlText: string; requestId: string; queryId: string; via: AbortVia }>;
  heartbeats: number;
  tokenRenewals: number;
  sessionsDeleted: number;
  /** requests answered with a throttle fault's status */
  throttled: number;
  /** query-requests answered 390112 by the expireSession fault */
  expiredSessions: number;
  /** statements failed by the failQuery fault */
  failedByFault: number;
  /** statements delayed by the slowQuery fault */
  slowed: number;
  /** connections destroyed by the dropConnection fault */
  droppedConnections: number;
  /** requests to paths the stand-in does not know (404) */
  unknownRequests: Array<{ method: string; path: string }>;
  chunksServed: number;
  /** PUT commands answered (the sdk writes the files itself) */
  puts: Array<{ sqlText: string; sources: string[]; location: string }>;
  /** GET commands answered */
  gets: Array<{ sqlText: string; files: string[]; location: string }>;
  telemetry: number;
}

export function emptyStats(): Stats {
  return {
    logins: 0,
    loginFailures: 0,
    queries: [],
    dedupedRequests: 0,
    aborts: [],
    heartbeats: 0,
    tokenRenewals: 0,
    sessionsDeleted: 0,
    throttled: 0,
    expiredSessions: 0,
    failedByFault: 0,
    slowed: 0,
    droppedConnections: 0,
    unknownRequests: [],
    chunksServed: 0,
    puts: [],
    gets: [],
    telemetry: 0,
  };
}
