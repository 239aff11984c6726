/**
 * A local Snowflake for tests (nothing here is product code): an HTTP server
 * on 127.0.0.1 speaking the REST protocol of snowflake-sdk, so the real sdk,
 * given `accessUrl: 'http://127.0.0.1:<port>'`, logs in, runs statements
 * (through an Engine), fetches results and chunks, cancels, renews its token
 * and logs out. This module routes; sessions.ts, queries.ts, results.ts and
 * file-transfer.ts do the work. See README.md, "The REST protocol".
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Engine } from './engine-types.js';
import { FaultState, type Faults, type ThrottlePath } from './faults.js';
import { Codes, emptyStats, fail, isRecord, ok, readJsonBody, tokenOf, type Envelope, type Stats } from './protocol.js';
import { parseQueryRequest, QueryRegistry } from './queries.js';
import { SessionRegistry, type Session } from './sessions.js';

export type { Faults } from './faults.js';
export type { Stats } from './protocol.js';

export interface SnowflakeStandinOptions {
  engine: Engine;
  port?: number;
  /** the account name logins must give (any, when absent) */
  account?: string;
  /** username → password; absent: any password is accepted */
  users?: Record<string, string>;
  /** rows of a result sent inline; the rest goes to chunks of this many rows (default 1000) */
  rowsPerChunk?: number;
  /** a statement still running after this long answers "in progress" and the client polls (default 200) */
  asyncAfterMs?: number;
  /** how long a result poll waits for a running statement (default 1000) */
  pollWaitMs?: number;
  faults?: Faults;
}

export interface SnowflakeStandin {
  accessUrl: string;
  host: string;
  port: number;
  stats: Stats;
  setFaults(f: Faults): void;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

function send(res: ServerResponse, envelope: Envelope, status = 200): void {
  const body = JSON.stringify(envelope);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function throttlePathOf(method: string, path: string): ThrottlePath {
  if (path === '/session/v1/login-request') return 'login';
  if (path === '/queries/v1/query-request') return 'query';
  if ((method === 'GET' && /^\/queries\/[^/]+\/result$/.test(path)) || path.startsWith('/chunks/')) return 'result';
  return 'other';
}

export async function startSnowflakeStandin(opts: SnowflakeStandinOptions): Promise<SnowflakeStandin> {
  const stats = emptyStats();
  const faults = new FaultState(opts.faults);
  const sessions = new SessionRegistry(opts.engine, opts.account, opts.users);
  let accessUrl = '';
  const queries = new QueryRegistry({
    rowsPerChunk: opts.rowsPerChunk ?? 1000,
    asyncAfterMs: opts.asyncAfterMs ?? 200,
    pollWaitMs: opts.pollWaitMs ?? 1000,
    chunkUrl: (queryId, index) => `${accessUrl}/chunks/${queryId}/${index}`,
    faults,
    stats,
  });

  /** The session of the request's token, or undefined after answering with the service's error. */
  function authenticate(req: IncomingMessage, res: ServerResponse): Session | undefined {
    const check = sessions.check(tokenOf(req));
    if ('session' in check) return check.session;
    send(res, check.error, check.status);
    return undefined;
  }

  async function endSession(session: Session): Promise<void> {
    sessions.forget(session);
    await queries.endSession(session);
    await session.engine.close();
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', accessUrl);
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const status = faults.takeThrottle(throttlePathOf(method, path));
    if (status !== undefined) {
      stats.throttled++;
      req.resume();
      res.writeHead(status, { 'Content-Type': 'text/plain', 'Retry-After': '1' });
      res.end(status === 429 ? 'Too Many Requests' : 'Service Unavailable');
      return;
    }

    if (method === 'POST' && path === '/session/v1/login-request') {
      const body = await readJsonBody(req);
      const q = url.searchParams;
      const { envelope } = await sessions.login(body, {
        databaseName: q.get('databaseName') ?? undefined,
        schemaName: q.get('schemaName') ?? undefined,
        warehouse: q.get('warehouse') ?? undefined,
        roleName: q.get('roleName') ?? undefined,
      });
      if (envelope.success) stats.logins++;
      else stats.loginFailures++;
      return send(res, envelope);
    }

    if (method === 'POST' && path === '/session/token-request') {
      const envelope = sessions.renew(tokenOf(req), await readJsonBody(req));
      if (envelope.success) stats.tokenRenewals++;
      return send(res, envelope);
    }

    if (method === 'POST' && path === '/session/authenticator-request') {
      req.resume();
      return send(res, fail('390190', 'Federated (SAML / external browser / Okta) authentication is not supported by the stand-in.'));
    }

    if (method === 'POST' && path === '/session' && url.searchParams.get('delete') === 'true') {
      req.resume();
      const session = authenticate(req, res);
      if (!session) return;
      await endSession(session);
      stats.sessionsDeleted++;
      return send(res, ok(null));
    }

    if (method === 'POST' && path === '/session/heartbeat') {
      req.resume();
      if (!authenticate(req, res)) return;
      stats.heartbeats++;
      return send(res, ok(null));
    }

    if (method === 'POST' && path === '/telemetry/send') {
      const body = await readJsonBody(req);
      if (!authenticate(req, res)) return;
      if (!isRecord(body) || !Array.isArray(body.logs)) return send(res, fail(Codes.INTERNAL_ERROR, 'Telemetry request is malformed: no logs.'));
      stats.telemetry++;
      return send(res, ok(null));
    }

    if (method === 'POST' && path === '/queries/v1/query-request') {
      const body = await readJsonBody(req);
      const session = authenticate(req, res);
      if (!session) return;
      const requestId = url.searchParams.get('requestId');
      if (!requestId) return send(res, fail(Codes.INTERNAL_ERROR, 'Query request is malformed: no requestId.'));
      if (faults.takeExpire()) {
        stats.expiredSessions++;
        return send(res, fail(Codes.SESSION_TOKEN_EXPIRED, 'Session token has expired.'));
      }
      const request = parseQueryRequest(body);
      if ('success' in request) return send(res, request);
      const { record } = queries.start(session, requestId, request);
      if (faults.takeDrop(request.sqlText)) {
        stats.droppedConnections++;
        req.socket.destroy();
        return;
      }
      return send(res, await queries.answerRequest(record, request.asyncExec));
    }

    const result = /^\/queries\/([^/]+)\/result$/.exec(path);
    if (method === 'GET' && result) {
      if (!authenticate(req, res)) return;
      const record = queries.get(result[1]);
      if (!record) return send(res, fail(Codes.NO_SUCH_QUERY, `Statement ${result[1]} not found`));
      return send(res, await queries.answerPoll(record));
    }

    if (method === 'POST' && path === '/queries/v1/abort-request') {
      const body = await readJsonBody(req);
      const session = authenticate(req, res);
      if (!session) return;
      const requestId = isRecord(body) && typeof body.requestId === 'string' ? body.requestId : undefined;
      if (!requestId) return send(res, fail(Codes.INTERNAL_ERROR, 'Abort request is malformed: no requestId.'));
      const record = queries.byRequestId(session, requestId);
      if (!record) {
        // the sdk may send the abort before its query-request arrived: abort that one when it does
        queries.abortEarly(session, requestId);
        return send(res, ok(null));
      }
      if (!queries.abort(record, 'requestId')) return send(res, fail(Codes.NOT_EXECUTING, 'Identified SQL statement is not currently executing.'));
      return send(res, ok(null));
    }

    const abortById = /^\/queries\/([^/]+)\/abort-request$/.exec(path);
    if (method === 'POST' && abortById) {
      req.resume();
      if (!authenticate(req, res)) return;
      const record = queries.get(abortById[1]);
      if (!record) return send(res, fail(Codes.NO_SUCH_QUERY, `Statement ${abortById[1]} not found`));
      if (!queries.abort(record, 'queryId')) return send(res, fail(Codes.NOT_EXECUTING, 'Identified SQL statement is not currently executing.'));
      return send(res, ok(null));
    }

    const monitoring = /^\/monitoring\/queries\/([^/]+)$/.exec(path);
    if (method === 'GET' && monitoring) {
      if (!authenticate(req, res)) return;
      const record = queries.get(monitoring[1]);
      return send(res, ok({ queries: record ? [queries.monitoring(record)] : [] }));
    }

    const chunk = /^\/chunks\/([^/]+)\/(\d+)$/.exec(path);
    if (method === 'GET' && chunk) {
      const record = queries.get(chunk[1]);
      const body = record?.chunks[Number(chunk[2])];
      if (!record || !body) {
        res.writeHead(404, { 'Content-Type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code></Error>');
        return;
      }
      if (req.headers['x-amz-server-side-encryption-customer-key'] !== record.qrmk) {
        res.writeHead(403, { 'Content-Type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>SSE-C key missing or wrong</Message></Error>');
        return;
      }
      stats.chunksServed++;
      res.writeHead(200, { 'Content-Type': 'binary/octet-stream', 'Content-Encoding': 'gzip', 'Content-Length': body.length });
      res.end(body);
      return;
    }

    req.resume();
    stats.unknownRequests.push({ method, path });
    send(res, fail('404', `Unknown path ${method} ${path}`), 404);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      send(res, fail(Codes.INTERNAL_ERROR, `Internal error: ${err instanceof Error ? err.message : String(err)}`), 500);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  accessUrl = `http://${HOST}:${port}`;

  return {
    accessUrl,
    host: HOST,
    port,
    stats,
    setFaults: (f) => faults.set(f),
    close: async () => {
      await Promise.all(sessions.all().map((s) => endSession(s)));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
