/**
 * The Snowflake session's own retry layer, on a scripted driver connection:
 * transient failures are sent again under the same request id (the service
 * answers a resubmitted request with its first result, so nothing runs twice);
 * other errors fail at once with Snowflake's code and message.
 */
import { describe, expect, it } from 'vitest';
import type { Connection as SdkConnection } from 'snowflake-sdk';
import { SnowflakeSession, snowflakeErrorText } from '../../src/adapters/snowflake/connection.js';
import { SnowflakeDialect } from '../../src/adapters/snowflake/dialect.js';

type Outcome = { code: string; message: string; sqlState?: string } | Record<string, unknown>[];

function scripted(outcomes: Outcome[]): { conn: SdkConnection; calls: Array<{ sqlText: string; requestId?: string; binds?: unknown }> } {
  const calls: Array<{ sqlText: string; requestId?: string; binds?: unknown }> = [];
  const conn = {
    execute(o: { sqlText: string; requestId?: string; binds?: unknown; complete: (err: unknown, stmt: unknown, rows?: unknown[]) => void }) {
      calls.push({ sqlText: o.sqlText, requestId: o.requestId, binds: o.binds });
      const next = outcomes.shift() ?? [];
      const stmt = { getNumUpdatedRows: () => undefined, cancel: (cb: () => void) => cb() };
      setImmediate(() => (Array.isArray(next) ? o.complete(undefined, stmt, next) : o.complete(Object.assign(new Error(next.message), next), stmt)));
      return stmt;
    },
    destroy(cb: () => void) {
      cb();
    },
  };
  return { conn: conn as unknown as SdkConnection, calls };
}

const settings = { retries: 3, putThresholdRows: 10_000 };

describe('Snowflake session', () => {
  it('sends a transient failure again under the same request id, and reads folded names in lower case', async () => {
    const { conn, calls } = scripted([{ code: '401001', message: 'Network error' }, { code: '390112', message: 'Your session has expired.' }, [{ N: 1, 'Mixed Name': 2 }]]);
    const s = new SnowflakeSession(conn, new SnowflakeDialect(), settings);
    expect(await s.query('select 1 as n')).toEqual([{ n: 1, 'Mixed Name': 2 }]);
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.requestId)).size).toBe(1);
    expect(calls[0].requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives up after its retries, and never retries a statement error', async () => {
    const busy = scripted(Array.from({ length: 10 }, () => ({ code: '401002', message: 'Service Unavailable' })));
    await expect(new SnowflakeSession(busy.conn, new SnowflakeDialect(), { ...settings, retries: 2 }).execute('select 1')).rejects.toThrow(/^Snowflake error 401002: Service Unavailable$/);
    expect(busy.calls).toHaveLength(3);

    const bad = scripted([{ code: '002003', sqlState: '42S02', message: "SQL compilation error:\nObject 'X' does not exist or not authorized." }]);
    await expect(new SnowflakeSession(bad.conn, new SnowflakeDialect(), settings).execute('select * from x')).rejects.toThrow(
      /^Snowflake error 002003 \(42S02\): SQL compilation error: Object 'X' does not exist or not authorized\.$/,
    );
    expect(bad.calls).toHaveLength(1);
  });

  it('binds seed rows as text in INSERT … VALUES batches', async () => {
    const { conn, calls } = scripted([[], []]);
    const s = new SnowflakeSession(conn, new SnowflakeDialect(), settings);
    const n = await s.loadRows({ database: 'db', schema: 's', identifier: 't' }, [{ name: 'id', dataType: 'integer' }, { name: 'when', dataType: 'date' }], [[1, '2024-01-01'], [2, null]]);
    expect(n).toBe(2);
    expect(calls[0].sqlText).toBe('insert into "DB"."S"."T" ("ID", "WHEN") values (?, ?)');
    expect(calls[0].binds).toEqual([['1', '2024-01-01'], ['2', null]]);
  });

  it('formats errors without a code as their message', () => {
    expect(snowflakeErrorText(new Error('socket hang up\n  at x'))).toBe('socket hang up at x');
  });
});
