/**
 * Statements of the Snowflake stand-in (test only): a query-request starts
 * one (or, when its requestId was seen before in the session, answers with
 * the first one's outcome), waits up to `asyncAfterMs` and answers with the
 * result or "in progress" (333333 / 333334 with a getResultUrl the client
 * polls). Aborts go to the statement's AbortSignal; results stay fetchable
 * by query id until the session ends.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Bind, StatementResult } from './engine-types.js';
import { SfError } from './engine-types.js';
import type { FaultState } from './faults.js';
import { answerGet, answerPut, isFileTransfer } from './file-transfer.js';
import { parameterList } from './parameters.js';
import { Codes, fail, isRecord, Messages, ok, type AbortVia, type Envelope, type Stats } from './protocol.js';
import { encodeResult } from './results.js';
import type { Session } from './sessions.js';

export type QueryStatus = 'RUNNING' | 'SUCCESS' | 'FAILED_WITH_ERROR' | 'ABORTED';

export interface QueryRecord {
  queryId: string;
  requestId: string;
  sqlText: string;
  session: Session;
  status: QueryStatus;
  startTime: number;
  endTime?: number;
  controller: AbortController;
  /** resolves (never rejects) when the statement has its final answer */
  settled: Promise<void>;
  envelope?: Envelope;
  /** gzipped chunk bodies, by index */
  chunks: Buffer[];
  /** the query result master key the chunk requests must present (SSE-C header) */
  qrmk: string;
  error?: { code: string; message: string };
}

export interface QueryRequest {
  sqlText: string;
  bindings?: Record<string, Bind>;
  asyncExec: boolean;
}

export interface QueryConfig {
  rowsPerChunk: number;
  asyncAfterMs: number;
  /** how long a result poll waits for a running statement before answering "in progress" again */
  pollWaitMs: number;
  chunkUrl(queryId: string, index: number): string;
  faults: FaultState;
  stats: Stats;
}

/** Validates a query-request body as the service does. */
export function parseQueryRequest(body: unknown): QueryRequest | Envelope {
  if (!isRecord(body)) return fail(Codes.INTERNAL_ERROR, 'Query request is malformed: no JSON body.');
  const sqlText = body.sqlText;
  if (typeof sqlText !== 'string' || sqlText.trim() === '') return fail('000900', 'Empty SQL statement.');
  if (body.bindStage !== undefined) return fail(Codes.INTERNAL_ERROR, 'Binding through a stage (bindStage) is not supported by the stand-in.');
  let bindings: Record<string, Bind> | undefined;
  if (body.bindings !== undefined && body.bindings !== null) {
    if (!isRecord(body.bindings)) return fail(Codes.BIND_ERROR, 'SQL compilation error: bindings must be an object.');
    bindings = {};
    let rows: number | undefined;
    for (const [key, bind] of Object.entries(body.bindings)) {
      if (!/^[1-9]\d*$/.test(key) || !isRecord(bind) || typeof bind.type !== 'string') {
        return fail(Codes.BIND_ERROR, `SQL compilation error: malformed bind variable ${key}.`);
      }
      const value = bind.value;
      const isArray = Array.isArray(value);
      const cells: unknown[] = isArray ? value : [value];
      if (!cells.every((c) => c === null || typeof c === 'string')) {
        return fail(Codes.BIND_ERROR, `SQL compilation error: bind variable ${key} must be a string or null.`);
      }
      if (isArray) {
        if (rows !== undefined && rows !== cells.length) return fail(Codes.BIND_ERROR, 'SQL compilation error: array binds have different lengths.');
        rows = cells.length;
      }
      bindings[key] = { type: bind.type, value: value as Bind['value'] };
    }
  }
  return { sqlText, bindings, asyncExec: body.asyncExec === true };
}

function canceled(): SfError {
  return new SfError(Codes.CANCELED, Messages.CANCELED, '57014');
}

function delay(ms: number, signal: AbortSignal, until?: Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(canceled());
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    until?.then(done, done);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(canceled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function sleep(ms: number): { promise: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

export class QueryRegistry {
  private readonly byId = new Map<string, QueryRecord>();
  private readonly byRequest = new Map<string, QueryRecord>();
  /** abort-requests that arrived before their query-request (the sdk may send both at once) */
  private readonly earlyAborts = new Set<string>();

  constructor(private readonly config: QueryConfig) {}

  private key(session: Session, requestId: string): string {
    return `${session.id}/${requestId}`;
  }

  get(queryId: string): QueryRecord | undefined {
    return this.byId.get(queryId);
  }

  byRequestId(session: Session, requestId: string): QueryRecord | undefined {
    return this.byRequest.get(this.key(session, requestId));
  }

  /** Starts the statement of a query-request (or returns the one started under the same requestId). */
  start(session: Session, requestId: string, request: QueryRequest): { record: QueryRecord; resent: boolean } {
    const existing = this.byRequest.get(this.key(session, requestId));
    if (existing) {
      this.config.stats.dedupedRequests++;
      return { record: existing, resent: true };
    }
    const record: QueryRecord = {
      queryId: randomUUID(),
      requestId,
      sqlText: request.sqlText,
      session,
      status: 'RUNNING',
      startTime: Date.now(),
      controller: new AbortController(),
      settled: Promise.resolve(),
      chunks: [],
      qrmk: randomBytes(32).toString('base64'),
    };
    this.byId.set(record.queryId, record);
    this.byRequest.set(this.key(session, requestId), record);
    this.config.stats.queries.push({ sqlText: request.sqlText, requestId, queryId: record.queryId, ...(request.bindings ? { bindings: request.bindings } : {}) });
    if (this.earlyAborts.delete(this.key(session, requestId))) this.abort(record, 'requestId');
    record.settled = this.run(record, request).then(
      (envelope) => {
        record.envelope = envelope;
        record.status = 'SUCCESS';
        record.endTime = Date.now();
      },
      (err: unknown) => {
        const error = record.controller.signal.aborted ? canceled() : err;
        record.envelope = this.errorEnvelope(record, error);
        record.status = record.envelope.code === Codes.CANCELED ? 'ABORTED' : 'FAILED_WITH_ERROR';
        record.error = { code: record.envelope.code ?? '', message: record.envelope.message ?? '' };
        record.endTime = Date.now();
      },
    );
    return { record, resent: false };
  }

  private async run(record: QueryRecord, request: QueryRequest): Promise<Envelope> {
    const { faults, stats } = this.config;
    const signal = record.controller.signal;
    const sql = request.sqlText;
    const failure = faults.failureFor(sql);
    if (failure) {
      stats.failedByFault++;
      throw new SfError(failure.code, failure.message, failure.sqlState ?? '42000');
    }
    const slow = faults.delayFor(sql);
    if (slow !== undefined) {
      stats.slowed++;
      await delay(slow.ms, signal, slow.until);
    }
    if (signal.aborted) throw canceled();
    const engine = record.session.engine;
    const transfer = isFileTransfer(sql);
    if (transfer === 'put') {
      const answer = answerPut(sql, engine, record.queryId);
      stats.puts.push({ sqlText: sql, sources: answer.sources, location: answer.location });
      return ok(answer.data);
    }
    if (transfer === 'get') {
      const answer = answerGet(sql, engine, record.queryId);
      stats.gets.push({ sqlText: sql, files: answer.sources, location: answer.location });
      return ok(answer.data);
    }
    const result = await engine.execute(sql, request.bindings, signal);
    return this.resultEnvelope(record, result, request);
  }

  private resultEnvelope(record: QueryRecord, result: StatementResult, request: QueryRequest): Envelope {
    const encoded = encodeResult(result, this.config.rowsPerChunk);
    record.chunks = encoded.chunks.map((c) => c.body);
    const ctx = record.session.engine.context;
    const binds = request.bindings ? Object.keys(request.bindings).length : 0;
    return ok({
      parameters: parameterList(ctx.parameters),
      rowtype: encoded.rowtype,
      rowset: encoded.rowset,
      total: encoded.total,
      returned: encoded.total,
      queryId: record.queryId,
      databaseProvider: null,
      finalDatabaseName: ctx.database ?? null,
      finalSchemaName: ctx.schema ?? null,
      finalWarehouseName: ctx.warehouse ?? null,
      finalRoleName: ctx.role ?? null,
      numberOfBinds: binds,
      arrayBindSupported: false,
      statementTypeId: encoded.statementTypeId,
      version: 1,
      sendResultTime: Date.now(),
      queryResultFormat: 'json',
      queryContext: this.queryContext(),
      ...(encoded.stats ? { stats: encoded.stats } : {}),
      ...(encoded.chunks.length > 0
        ? {
            qrmk: record.qrmk,
            chunkHeaders: null,
            chunks: encoded.chunks.map((c, i) => ({
              url: this.config.chunkUrl(record.queryId, i),
              rowCount: c.rowCount,
              uncompressedSize: c.uncompressedSize,
              compressedSize: c.compressedSize,
            })),
          }
        : {}),
    });
  }

  private queryContext(): { entries: Array<{ id: number; timestamp: number; priority: number; context: null }> } {
    return { entries: [{ id: 0, timestamp: Date.now() * 1000, priority: 0, context: null }] };
  }

  private errorEnvelope(record: QueryRecord, err: unknown): Envelope {
    const isSf = err instanceof SfError;
    const code = isSf ? err.code : Codes.INTERNAL_ERROR;
    const message = isSf ? err.message : `SQL execution internal error:\nProcessing aborted due to error 300002: ${err instanceof Error ? err.message : String(err)}`;
    return fail(code, message, {
      internalError: !isSf,
      errorCode: code,
      age: 0,
      sqlState: isSf ? err.sqlState : 'XX000',
      queryId: record.queryId,
      line: -1,
      pos: -1,
      type: isSf ? 'COMPILATION' : 'INTERNAL',
      queryContext: this.queryContext(),
    });
  }

  private inProgress(record: QueryRecord, asyncExec: boolean): Envelope {
    return {
      data: { queryId: record.queryId, getResultUrl: `/queries/${record.queryId}/result`, queryAbortsAfterSecs: 300, progressDesc: null },
      code: asyncExec ? Codes.QUERY_IN_PROGRESS_ASYNC : Codes.QUERY_IN_PROGRESS,
      message: asyncExec
        ? 'Asynchronous execution in progress. Use provided query id to perform query monitoring and management.'
        : 'Query execution in progress',
      success: true,
      headers: null,
    };
  }

  /** The statement's answer once it settles within `waitMs`, else "in progress". */
  async answer(record: QueryRecord, waitMs: number, asyncExec = false): Promise<Envelope> {
    if (!record.envelope && waitMs > 0) {
      const timer = sleep(waitMs);
      await Promise.race([record.settled, timer.promise]);
      timer.cancel();
    }
    return record.envelope ?? this.inProgress(record, asyncExec);
  }

  /** The answer to a query-request: asyncExec answers at once, others wait up to asyncAfterMs. */
  answerRequest(record: QueryRecord, asyncExec: boolean): Promise<Envelope> {
    return this.answer(record, asyncExec ? 0 : this.config.asyncAfterMs, asyncExec);
  }

  answerPoll(record: QueryRecord): Promise<Envelope> {
    return this.answer(record, this.config.pollWaitMs);
  }

  /** Aborts a running statement; false when it is not running. */
  abort(record: QueryRecord, via: AbortVia): boolean {
    if (record.status !== 'RUNNING' || record.controller.signal.aborted) return false;
    this.config.stats.aborts.push({ sqlText: record.sqlText, requestId: record.requestId, queryId: record.queryId, via });
    record.controller.abort(canceled());
    return true;
  }

  /** An abort-request naming a requestId not seen yet: applied when its query-request arrives. */
  abortEarly(session: Session, requestId: string): void {
    this.earlyAborts.add(this.key(session, requestId));
  }

  /** Aborts the session's running statements, waits for them, and forgets its results. */
  async endSession(session: Session): Promise<void> {
    const records = [...this.byId.values()].filter((r) => r.session === session);
    for (const r of records) this.abort(r, 'session');
    const wait = sleep(10_000);
    await Promise.race([Promise.all(records.map((r) => r.settled)), wait.promise]);
    wait.cancel();
    for (const r of records) {
      this.byId.delete(r.queryId);
      this.byRequest.delete(this.key(session, r.requestId));
    }
  }

  /** The monitoring view of a statement (`/monitoring/queries/<id>`). */
  monitoring(record: QueryRecord): Record<string, unknown> {
    const end = record.endTime ?? Date.now();
    return {
      id: record.queryId,
      status: record.status,
      state: record.status === 'RUNNING' ? 'RUNNING' : 'SUCCEEDED',
      sqlText: record.sqlText,
      startTime: record.startTime,
      endTime: record.endTime ?? 0,
      totalDuration: end - record.startTime,
      sessionId: record.session.id,
      errorCode: record.error?.code ?? null,
      errorMessage: record.error?.message ?? null,
      stats: {},
    };
  }
}
