import { connect as tcpConnect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectWithRetries, isTransientConnectError } from '../../src/adapters/postgres/connect-retry.js';
import { PostgresAdapter, postgresOutputSchema } from '../../src/adapters/postgres/index.js';
import { WarehouseError } from '../../src/errors.js';
import { pgConnection } from '../helpers/pg-server.js';

/** `retries`: opening a connection again after a failure that may pass, never after one that will not. */

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('connectWithRetries', () => {
  it('a connect failing twice with ECONNREFUSED then succeeding: retries 2 connects, with growing pauses', async () => {
    let calls = 0;
    const pauses: number[] = [];
    const connect = async () => {
      calls++;
      if (calls <= 2) throw coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432');
      return 'connected';
    };
    expect(await connectWithRetries(connect, 2, async (ms) => void pauses.push(ms))).toBe('connected');
    expect(calls).toBe(3);
    expect(pauses).toEqual([500, 1000]);
  });

  it('gives up after `retries` more tries, throwing the last failure; retries 0 tries once', async () => {
    let calls = 0;
    const failing = async () => {
      calls++;
      throw coded('57P03', 'the database system is starting up');
    };
    await expect(connectWithRetries(failing, 1, async () => undefined)).rejects.toThrow('the database system is starting up');
    expect(calls).toBe(2);
    calls = 0;
    await expect(connectWithRetries(failing, 0, async () => undefined)).rejects.toThrow('starting up');
    expect(calls).toBe(1);
  });

  it('a wrong password, a missing database or a rejected certificate is not retried', async () => {
    for (const e of [coded('28P01', 'password authentication failed for user "x"'), coded('3D000', 'database "nope" does not exist'), coded('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain')]) {
      let calls = 0;
      const connect = async () => {
        calls++;
        throw e;
      };
      await expect(connectWithRetries(connect, 3, async () => undefined)).rejects.toBe(e);
      expect(calls).toBe(1);
    }
  });

  it('knows the transient failures: refused, timed out, starting up, too many connections, dropped during the handshake', () => {
    for (const e of [coded('ECONNREFUSED'), coded('ETIMEDOUT'), coded('57P03'), coded('53300'), coded('08006'), new Error('timeout expired'), new Error('Connection terminated unexpectedly'), new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')])]) {
      expect(isTransientConnectError(e), String(e)).toBe(true);
    }
    for (const e of [coded('28P01'), coded('28000'), coded('3D000'), coded('08004'), coded('42501'), new Error('The server does not support SSL connections')]) {
      expect(isTransientConnectError(e), String(e)).toBe(false);
    }
  });
});

/**
 * A TCP relay to the test server that drops the first `drop` connections at
 * once (as a server restarting or a flaky network does) and counts them all.
 */
async function flakyRelay(drop: number): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  const c = pgConnection();
  let accepted = 0;
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    accepted++;
    sockets.push(client);
    if (accepted <= drop) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect(c.port, c.host);
    sockets.push(upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const close = () => {
    sockets.forEach((s) => s.destroy());
    return new Promise<void>((r) => server.close(() => r()));
  };
  return { port: typeof addr === 'object' && addr ? addr.port : 0, accepted: () => accepted, close };
}

describe('retries against a real server behind a flaky relay', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  function adapterOn(port: number, extra: Record<string, unknown>): PostgresAdapter {
    const c = pgConnection();
    const a = new PostgresAdapter(postgresOutputSchema.parse({ type: 'postgres', host: '127.0.0.1', port, user: c.user, password: c.password, dbname: c.database, sslmode: 'disable', threads: 1, ...extra }), 1);
    cleanup.push(() => a.close());
    return a;
  }

  it('retries: 2 gets through two dropped connection attempts; retries: 1 does not', async () => {
    const relay = await flakyRelay(2);
    cleanup.push(relay.close);
    const once = adapterOn(relay.port, { retries: 1 });
    const e = await once.withConnection((x) => x.query('select 1')).catch((x) => x);
    expect(e).toBeInstanceOf(WarehouseError);
    expect(e.message).toMatch(/^cannot connect to postgres at 127\.0\.0\.1:\d+ \(database shop, user tsql\): Connection terminated unexpectedly$/);
    expect(relay.accepted()).toBe(2);

    const relay2 = await flakyRelay(2);
    cleanup.push(relay2.close);
    const twice = adapterOn(relay2.port, { retries: 2 });
    expect(await twice.withConnection((x) => x.query('select 1 as ok'))).toEqual([{ ok: 1 }]);
    expect(relay2.accepted()).toBe(3);
  });

  it('a wrong password is tried once, whatever retries says', async () => {
    const relay = await flakyRelay(0);
    cleanup.push(relay.close);
    const wrong = 'Wrong-Pw-For-Retry-1';
    const a = adapterOn(relay.port, { retries: 3, password: wrong });
    const e = await a.withConnection((x) => x.query('select 1')).catch((x) => x);
    expect(e.message).toContain('password authentication failed');
    expect(e.message).not.toContain(wrong);
    expect(relay.accepted()).toBe(1);
  });
});
