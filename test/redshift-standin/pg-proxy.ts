/**
 * A PostgreSQL wire-protocol proxy that makes a real PostgreSQL server look
 * like Redshift to the `pg` driver (tsql's `method: pg` path).
 *
 *   const proxy = await startPgProxy({ pg, s3Root });
 *   new pg.Client({ host: proxy.host, port: proxy.port, user, password, database })
 *
 * The startup and authentication exchange is forwarded unchanged (so SCRAM
 * works end to end, and BackendKeyData is the real backend's: a CancelRequest,
 * which arrives on a new connection, is forwarded verbatim to the server).
 * After that, every Query ('Q') and Parse ('P') is translated (translate.ts)
 * and forwarded with the rewritten text. Statements the stand-in performs
 * itself (UNLOAD, COPY from S3, Spectrum DDL, partitions, no-ops, Redshift
 * errors) run on the client's own backend connection — same session, same
 * transaction — by the proxy injecting its own queries while the client
 * waits, and the client gets CommandComplete / ErrorResponse and a
 * ReadyForQuery with the server's real transaction status.
 */
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { execute, needsStandin, StandinSqlError, type QueryField, type QueryResult, type Runner } from './actions.js';
import { ensureCatalog, type PgConfig } from './catalog.js';
import { splitStatements, translateStatement, type Translation } from './translate.js';

export interface PgProxyOptions {
  /** the real server (user/password are used for the stand-in's catalog setup only) */
  pg: PgConfig;
  s3Root: string;
  /** listen port (default: any free port on 127.0.0.1) */
  port?: number;
  /** fold quoted identifiers to lower case like Redshift (default true) */
  foldQuotedIdentifiers?: boolean;
}

export interface PgProxyStats {
  connections: number;
  cancelRequests: number;
  /** Query/Parse messages whose SQL the translation changed */
  rewritten: number;
  /** statements the stand-in performed itself */
  intercepted: number;
}

export interface PgProxy {
  host: string;
  port: number;
  stats: PgProxyStats;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

function message(type: string, payload: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(5 + payload.length);
  b.write(type, 0, 'latin1');
  b.writeInt32BE(4 + payload.length, 1);
  payload.copy(b, 5);
  return b;
}

const cstr = (s: string) => Buffer.from(`${s}\0`, 'utf8');

function readCString(buf: Buffer, offset: number): [string, number] {
  const end = buf.indexOf(0, offset);
  return [buf.toString('utf8', offset, end), end + 1];
}

interface ServerErrorFields {
  severity: string;
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

class PgServerError extends Error {
  constructor(readonly fields: ServerErrorFields) {
    super(fields.message);
  }

  get code(): string {
    return this.fields.code;
  }
}

function parseErrorFields(payload: Buffer): ServerErrorFields {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < payload.length && payload[i] !== 0) {
    const code = String.fromCharCode(payload[i]);
    const [value, next] = readCString(payload, i + 1);
    out[code] = value;
    i = next;
  }
  return { severity: out.V ?? out.S ?? 'ERROR', code: out.C ?? 'XX000', message: out.M ?? '', detail: out.D, hint: out.H };
}

function errorMessage(type: 'E' | 'N', f: ServerErrorFields): Buffer {
  const parts = [Buffer.from('S'), cstr(f.severity), Buffer.from('V'), cstr(f.severity), Buffer.from('C'), cstr(f.code), Buffer.from('M'), cstr(f.message)];
  if (f.detail) parts.push(Buffer.from('D'), cstr(f.detail));
  if (f.hint) parts.push(Buffer.from('H'), cstr(f.hint));
  parts.push(Buffer.from([0]));
  return message(type, Buffer.concat(parts));
}

type ServerHandler = (type: string, payload: Buffer, raw: Buffer) => void;

class ProxyConnection implements Runner {
  private server?: Socket;
  private cbuf = Buffer.alloc(0);
  private sbuf = Buffer.alloc(0);
  private phase: 'startup' | 'auth' | 'ready' | 'closed' = 'startup';
  private database = '';
  private txStatus = 'I';
  private pendingSyncs = 0;
  private drainWaiters: Array<() => void> = [];
  private queue: Buffer[] = [];
  private processing = false;
  private collecting?: { translation: Translation; messages: Buffer[] };
  private internal?: ServerHandler;

  constructor(
    private readonly client: Socket,
    private readonly options: PgProxyOptions,
    private readonly stats: PgProxyStats,
  ) {
    client.on('data', (d) => this.onClientData(d));
    client.on('error', () => this.close());
    client.on('close', () => this.close());
  }

  close(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.client.destroy();
    this.server?.destroy();
    // an exchange waiting for the server ends with an error
    this.internal?.('E', Buffer.concat([Buffer.from('M'), cstr('the connection was closed'), Buffer.from([0])]), Buffer.alloc(0));
    this.internal?.('Z', Buffer.from('I'), Buffer.alloc(0));
  }

  // ------------------------------------------------------------------ client side

  private onClientData(data: Buffer): void {
    this.cbuf = Buffer.concat([this.cbuf, data]);
    if (this.phase === 'startup') {
      this.readStartup();
      return;
    }
    this.readClientMessages();
  }

  private readStartup(): void {
    if (this.cbuf.length < 8) return;
    const len = this.cbuf.readInt32BE(0);
    if (this.cbuf.length < len) return;
    const packet = this.cbuf.subarray(0, len);
    this.cbuf = this.cbuf.subarray(len);
    const code = packet.readInt32BE(4);
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      this.client.write('N');
      this.readStartup();
      return;
    }
    if (code === CANCEL_REQUEST) {
      this.stats.cancelRequests++;
      const s = netConnect(this.options.pg.port, this.options.pg.host, () => s.end(packet));
      s.on('error', () => undefined);
      s.on('close', () => this.close());
      return;
    }
    if (code !== PROTOCOL_3) {
      this.client.end(errorMessage('E', { severity: 'FATAL', code: '0A000', message: `unsupported frontend protocol ${code >> 16}.${code & 0xffff}` }));
      return;
    }
    const params: Record<string, string> = {};
    let i = 8;
    while (i < packet.length && packet[i] !== 0) {
      const [k, next] = readCString(packet, i);
      const [v, after] = readCString(packet, next);
      params[k] = v;
      i = after;
    }
    this.database = params.database ?? params.user ?? this.options.pg.database;
    this.phase = 'auth';
    this.client.pause();
    ensureCatalog(this.options.pg, this.database)
      .catch(() => undefined) // a database that does not exist fails in the startup exchange itself
      .then(() => {
        if (this.phase === 'closed') return;
        this.server = netConnect(this.options.pg.port, this.options.pg.host);
        this.server.on('data', (d) => this.onServerData(d));
        this.server.on('error', () => this.close());
        this.server.on('close', () => this.close());
        this.server.write(packet);
        this.client.resume();
        if (this.cbuf.length) this.readClientMessages();
      });
  }

  private readClientMessages(): void {
    while (this.cbuf.length >= 5) {
      const len = this.cbuf.readInt32BE(1);
      if (this.cbuf.length < len + 1) return;
      const msg = this.cbuf.subarray(0, len + 1);
      this.cbuf = this.cbuf.subarray(len + 1);
      if (this.phase !== 'ready') {
        this.server?.write(msg);
        continue;
      }
      this.queue.push(Buffer.from(msg));
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length && this.phase !== 'closed') await this.onClientMessage(this.queue.shift()!);
    } catch (e) {
      this.client.end(errorMessage('E', { severity: 'FATAL', code: 'XX000', message: `redshift stand-in proxy: ${(e as Error).message}` }));
      this.close();
    } finally {
      this.processing = false;
    }
  }

  private forward(msg: Buffer): void {
    const type = String.fromCharCode(msg[0]);
    if (type === 'Q' || type === 'S') this.pendingSyncs++;
    this.server!.write(msg);
  }

  private translate(sql: string): Translation {
    return translateStatement(sql, { database: this.database, foldQuotedIdentifiers: this.options.foldQuotedIdentifiers });
  }

  private async onClientMessage(msg: Buffer): Promise<void> {
    const type = String.fromCharCode(msg[0]);
    const payload = msg.subarray(5);
    if (this.collecting) {
      this.collecting.messages.push(msg);
      if (type === 'S') {
        const c = this.collecting;
        this.collecting = undefined;
        await this.drain();
        await this.runExtended(c.translation, c.messages);
      }
      return;
    }
    if (type === 'Q') {
      const [sql] = readCString(payload, 0);
      const statements = splitStatements(sql);
      const translations = statements.map((s) => this.translate(s));
      const inTxn = this.txStatus !== 'I';
      if (!translations.some((t) => needsStandin(t, inTxn))) {
        const rewritten = translations.map((t) => (t.kind === 'sql' ? t.sql : '')).join(';\n');
        if (!statements.length || rewritten === sql) return this.forward(msg);
        this.stats.rewritten++;
        return this.forward(message('Q', cstr(rewritten)));
      }
      await this.drain();
      await this.runSimple(translations);
      return;
    }
    if (type === 'P') {
      const [name, afterName] = readCString(payload, 0);
      const [sql, afterQuery] = readCString(payload, afterName);
      const rest = payload.subarray(afterQuery);
      const statements = splitStatements(sql);
      const translation = statements.length === 1 ? this.translate(statements[0]) : undefined;
      if (translation && needsStandin(translation, this.txStatus !== 'I')) {
        this.collecting = { translation, messages: [msg] };
        return;
      }
      if (translation?.kind === 'sql' && translation.sql !== sql) {
        this.stats.rewritten++;
        return this.forward(message('P', Buffer.concat([cstr(name), cstr(translation.sql), rest])));
      }
      return this.forward(msg);
    }
    if (type === 'X') {
      this.server?.end(msg);
      return;
    }
    this.forward(msg);
  }

  /** Waits until every forwarded Query/Sync has been answered. */
  private drain(): Promise<void> {
    if (this.pendingSyncs === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private sendClient(...buffers: Buffer[]): void {
    if (this.phase !== 'closed') this.client.write(Buffer.concat(buffers));
  }

  private ready(): Buffer {
    return message('Z', Buffer.from(this.txStatus, 'latin1'));
  }

  private errorFor(e: unknown): Buffer {
    if (e instanceof PgServerError) return errorMessage('E', e.fields);
    const code = e instanceof StandinSqlError ? e.code : 'XX000';
    return errorMessage('E', { severity: 'ERROR', code, message: (e as Error)?.message ?? String(e) });
  }

  private outcomeMessages(tag: string, notices: string[]): Buffer[] {
    return [...notices.map((n) => errorMessage('N', { severity: 'INFO', code: '00000', message: n })), message('C', cstr(tag))];
  }

  private async runSimple(translations: Translation[]): Promise<void> {
    for (const t of translations) {
      if (!needsStandin(t, this.txStatus !== 'I') && t.kind === 'sql') {
        const ok = await this.relay(t.sql);
        if (!ok) break;
        continue;
      }
      this.stats.intercepted++;
      try {
        const outcome = await execute(t, this, { s3Root: this.options.s3Root });
        this.sendClient(...this.outcomeMessages(outcome.tag, outcome.notices));
      } catch (e) {
        this.sendClient(this.errorFor(e));
        break;
      }
    }
    this.sendClient(this.ready());
  }

  private async runExtended(t: Translation, messages: Buffer[]): Promise<void> {
    this.stats.intercepted++;
    let failed = false;
    let executed = false;
    for (const msg of messages) {
      const type = String.fromCharCode(msg[0]);
      if (type === 'S') {
        this.sendClient(this.ready());
        break;
      }
      if (failed) continue;
      if (type === 'P') this.sendClient(message('1'));
      else if (type === 'B') this.sendClient(message('2'));
      else if (type === 'C') this.sendClient(message('3'));
      else if (type === 'D') {
        const target = String.fromCharCode(msg[5]);
        if (target === 'S') {
          const noParams = Buffer.alloc(2);
          this.sendClient(message('t', noParams), message('n'));
        } else this.sendClient(message('n'));
      } else if (type === 'E') {
        if (executed) {
          this.sendClient(message('C', cstr('SELECT 0')));
          continue;
        }
        executed = true;
        try {
          const outcome = await execute(t, this, { s3Root: this.options.s3Root });
          this.sendClient(...this.outcomeMessages(outcome.tag, outcome.notices));
        } catch (e) {
          this.sendClient(this.errorFor(e));
          failed = true;
        }
      }
    }
  }

  // ------------------------------------------------------------------ server side

  private onServerData(data: Buffer): void {
    if (this.phase === 'closed') return;
    this.sbuf = Buffer.concat([this.sbuf, data]);
    const passthrough: Buffer[] = [];
    while (this.sbuf.length >= 5) {
      const len = this.sbuf.readInt32BE(1);
      if (this.sbuf.length < len + 1) break;
      const raw = this.sbuf.subarray(0, len + 1);
      this.sbuf = this.sbuf.subarray(len + 1);
      const type = String.fromCharCode(raw[0]);
      const payload = raw.subarray(5);
      if (this.internal) {
        if (passthrough.length) {
          this.sendClient(...passthrough.splice(0));
        }
        this.internal(type, payload, raw);
        continue;
      }
      if (type === 'Z') {
        this.txStatus = String.fromCharCode(payload[0]);
        if (this.phase === 'auth') this.phase = 'ready';
        else if (this.pendingSyncs > 0) this.pendingSyncs--;
      }
      passthrough.push(Buffer.from(raw));
      if (type === 'Z' && this.pendingSyncs === 0 && this.drainWaiters.length) {
        this.sendClient(...passthrough.splice(0));
        for (const w of this.drainWaiters.splice(0)) w();
      }
    }
    if (passthrough.length) this.sendClient(...passthrough);
  }

  /** Sends one message to the server and hands its responses to `handler` until ReadyForQuery. */
  private exchange(first: Buffer[], handler: (type: string, payload: Buffer, raw: Buffer, done: (err?: unknown) => void) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      let error: unknown;
      const done = (err?: unknown) => {
        if (err && !error) error = err;
      };
      this.internal = (type, payload, raw) => {
        if (type === 'Z') {
          this.txStatus = String.fromCharCode(payload[0]);
          this.internal = undefined;
          if (error) reject(error);
          else resolve();
          return;
        }
        if (type === 'E') {
          done(new PgServerError(parseErrorFields(payload)));
          return;
        }
        if (type === 'S' || type === 'A') {
          // ParameterStatus / NotificationResponse: the client's session state
          this.sendClient(Buffer.from(raw));
          return;
        }
        handler(type, payload, raw, done);
      };
      this.server!.write(Buffer.concat(first));
    });
  }

  /** Runs SQL on the backend and relays its responses (all but ReadyForQuery) to the client. Returns false on error. */
  private async relay(sql: string): Promise<boolean> {
    let ok = true;
    await this.exchange([message('Q', cstr(sql))], (type, _payload, raw) => {
      this.sendClient(Buffer.from(raw));
    }).catch((e: unknown) => {
      ok = false;
      this.sendClient(this.errorFor(e));
    });
    return ok;
  }

  // ------------------------------------------------------------------ Runner (the client's own backend)

  async query(sql: string): Promise<QueryResult> {
    const fields: QueryField[] = [];
    const rows: Array<Array<string | null>> = [];
    let command = '';
    await this.exchange([message('Q', cstr(sql))], (type, payload) => {
      if (type === 'T') {
        const n = payload.readInt16BE(0);
        let i = 2;
        for (let k = 0; k < n; k++) {
          const [name, next] = readCString(payload, i);
          const dataTypeID = payload.readInt32BE(next + 6);
          const dataTypeModifier = payload.readInt32BE(next + 12);
          fields.push({ name, dataTypeID, dataTypeModifier });
          i = next + 18;
        }
      } else if (type === 'D') {
        const n = payload.readInt16BE(0);
        const row: Array<string | null> = [];
        let i = 2;
        for (let k = 0; k < n; k++) {
          const len = payload.readInt32BE(i);
          i += 4;
          if (len < 0) row.push(null);
          else {
            row.push(payload.toString('utf8', i, i + len));
            i += len;
          }
        }
        rows.push(row);
      } else if (type === 'C') {
        command = readCString(payload, 0)[0];
      }
    });
    const m = /(\d+)$/.exec(command);
    return { command, rowCount: m ? Number(m[1]) : fields.length ? rows.length : null, fields, rows };
  }

  async copyIn(sql: string, data: Buffer[]): Promise<number> {
    let command = '';
    await this.exchange([message('Q', cstr(sql))], (type, payload) => {
      if (type === 'G') {
        const out = data.map((d) => message('d', d));
        out.push(message('c'));
        this.server!.write(Buffer.concat(out));
      } else if (type === 'C') command = readCString(payload, 0)[0];
    });
    return Number(/(\d+)$/.exec(command)?.[1] ?? 0);
  }

  async copyOut(sql: string, onData: (chunk: Buffer) => void): Promise<number> {
    let command = '';
    await this.exchange([message('Q', cstr(sql))], (type, payload) => {
      if (type === 'd') onData(Buffer.from(payload));
      else if (type === 'C') command = readCString(payload, 0)[0];
    });
    return Number(/(\d+)$/.exec(command)?.[1] ?? 0);
  }

  inTransaction(): boolean {
    return this.txStatus !== 'I';
  }

  transactionStatus(): 'I' | 'T' | 'E' {
    return this.txStatus as 'I' | 'T' | 'E';
  }
}

export async function startPgProxy(options: PgProxyOptions): Promise<PgProxy> {
  await ensureCatalog(options.pg);
  const stats: PgProxyStats = { connections: 0, cancelRequests: 0, rewritten: 0, intercepted: 0 };
  const connections = new Set<ProxyConnection>();
  const server: Server = createServer((socket) => {
    stats.connections++;
    socket.setNoDelay(true);
    const c = new ProxyConnection(socket, options, stats);
    connections.add(c);
    socket.on('close', () => connections.delete(c));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: '127.0.0.1',
    port,
    stats,
    async close() {
      for (const c of connections) c.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
