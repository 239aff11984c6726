import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresAdapter, postgresOutputSchema } from '../../src/adapters/postgres/index.js';
import type { PgSession } from '../../src/adapters/postgres/connection.js';
import { WarehouseError } from '../../src/errors.js';
import { pgConnection, pgQuery, uniqueSchema } from '../helpers/pg-server.js';

/** PgSession and PgPool against the real test server (test/global-setup.ts). */

function adapter(extra: Record<string, unknown> = {}, threads = 2): PostgresAdapter {
  const c = pgConnection();
  const output = postgresOutputSchema.parse({ type: 'postgres', host: c.host, port: c.port, user: c.user, password: c.password, dbname: c.database, threads, ...extra });
  return new PostgresAdapter(output, threads);
}

const open: PostgresAdapter[] = [];
function use(a: PostgresAdapter): PostgresAdapter {
  open.push(a);
  return a;
}

let schema: string;
let dir: string;

beforeAll(async () => {
  schema = uniqueSchema('unit');
  await pgQuery(`create schema "${schema}"`);
  dir = mkdtempSync(join(tmpdir(), 'tsql-pg-unload-'));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
});

afterAll(async () => {
  await pgQuery(`drop schema if exists "${schema}" cascade`);
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PgSession', () => {
  it('execute reports rows affected; query converts int8, keeps numeric, date and timestamp text', async () => {
    const a = use(adapter());
    await a.withConnection(async (c) => {
      await c.execute(`create table "${schema}".t1 (id int, amount numeric(10, 2))`);
      expect(await c.execute(`insert into "${schema}".t1 values (1, 1.50), (2, 2.25), (3, null)`)).toEqual({ rowsAffected: 3 });
      expect(await c.execute(`create table "${schema}".t1b as select 1 as x`)).toEqual({ rowsAffected: 1 });
      expect(await c.execute(`create schema if not exists "${schema}"`)).toEqual({ rowsAffected: undefined });
      const rows = await c.query(
        `select count(*) as n, sum(amount) as total, 9007199254740993::int8 as huge, date '2024-01-03' as d, timestamp '2024-01-03 10:00:00' as ts, true as b from "${schema}".t1`,
      );
      expect(rows).toEqual([{ n: 3, total: '3.75', huge: '9007199254740993', d: '2024-01-03', ts: '2024-01-03 10:00:00', b: true }]);
      // several statements in one text: the last one's rows
      expect(await c.query('select 1 as a; select 2 as b')).toEqual([{ b: 2 }]);
    });
  });

  it('loadRows copies values exactly: commas, quotes, newlines, nulls, empty strings, bigints, booleans', async () => {
    const a = use(adapter());
    const rel = { database: 'shop', schema, identifier: 'loaded' };
    const columns = [
      { name: 'id', dataType: 'bigint' },
      { name: 'txt', dataType: 'text' },
      { name: 'flag', dataType: 'boolean' },
      { name: 'amount', dataType: 'numeric(12, 2)' },
      { name: 'Mixed Case', dataType: 'text' },
    ];
    const rows: unknown[][] = [
      [1n, 'a, b', true, '1.50', 'x'],
      [2n, 'say "hi"\nand \\. bye', false, null, ''],
      [9007199254740993n, '', null, '-0.01', null],
      [4n, null, true, '0', '\\.'],
    ];
    const n = await a.withConnection(async (c) => {
      await c.execute(a.dialect.createTable(rel, columns));
      return c.loadRows(rel, columns, rows);
    });
    expect(n).toBe(4);
    const back = await pgQuery(`select id::text as id, txt, flag, amount::text as amount, "Mixed Case" as m from "${schema}".loaded order by id`);
    expect(back).toEqual([
      { id: '1', txt: 'a, b', flag: true, amount: '1.50', m: 'x' },
      { id: '2', txt: 'say "hi"\nand \\. bye', flag: false, amount: null, m: '' },
      { id: '4', txt: null, flag: true, amount: '0.00', m: '\\.' },
      { id: '9007199254740993', txt: '', flag: null, amount: '-0.01', m: null },
    ]);
  });

  it('loadRows of a value the column cannot hold fails with the server’s message', async () => {
    const a = use(adapter());
    const rel = { schema, identifier: 'typed' };
    const columns = [{ name: 'id', dataType: 'integer' }];
    await a.withConnection(async (c) => {
      await c.execute(a.dialect.createTable(rel, columns));
      await expect(c.loadRows(rel, columns, [[1], ['x']])).rejects.toThrow(/invalid input syntax for type integer: "x"/);
      expect(await c.loadRows(rel, columns, [])).toBe(0);
      // the connection is still usable
      expect(await c.query('select 1 as ok')).toEqual([{ ok: 1 }]);
    });
  });

  it('unloadToFile streams CSV with a header into the file and returns the row count', async () => {
    const a = use(adapter());
    const file = join(dir, 'out.csv');
    const sql = `select * from (values (1, 'a, b', null::text), (2, 'say "hi"', ''), (3, 'two\nlines', 'x')) as t(id, txt, other) order by id`;
    const n = await a.withConnection((c) => c.unloadToFile!(sql, file, 'csv', {}));
    expect(n).toBe(3);
    expect(readFileSync(file, 'utf8')).toBe('id,txt,other\n1,"a, b",\n2,"say ""hi""",""\n3,"two\nlines",x\n');

    const piped = join(dir, 'piped.csv');
    expect(await a.withConnection((c) => c.unloadToFile!('select 1 as a, 2 as b', piped, 'csv', { delimiter: '|' }))).toBe(1);
    expect(readFileSync(piped, 'utf8')).toBe('a|b\n1|2\n');

    const none = join(dir, 'none.csv');
    expect(await a.withConnection((c) => c.unloadToFile!('select 1 as a where false', none, 'csv', { header: false }))).toBe(0);
    expect(readFileSync(none, 'utf8')).toBe('');
  });

  it('unloadToFile refuses parquet and unknown options, and fails cleanly on a bad query', async () => {
    const a = use(adapter());
    await a.withConnection(async (c) => {
      await expect(c.unloadToFile!('select 1', join(dir, 'x.parquet'), 'parquet', {})).rejects.toThrow(/postgres unloads write csv only/);
      await expect(c.unloadToFile!('select 1', join(dir, 'x.csv'), 'csv', { compression: 'gzip' })).rejects.toThrow(/postgres unloads take the options delimiter, header; not compression/);
      await expect(c.unloadToFile!('select 1', join(dir, 'x.csv'), 'csv', { delimiter: '||' })).rejects.toThrow(/delimiter must be one character/);
      await expect(c.unloadToFile!('select nope', join(dir, 'bad.csv'), 'csv', {})).rejects.toThrow(/column "nope" does not exist/);
      expect(await c.query('select 1 as ok')).toEqual([{ ok: 1 }]);
    });
  });
});

describe('PgPool', () => {
  it('cancelAll cancels the statements running on the server', async () => {
    const a = use(adapter({}, 2));
    const t0 = Date.now();
    const running = [
      a.withConnection((c) => c.query('select pg_sleep(30)')),
      a.withConnection((c) => c.execute(`create table "${schema}".slow as select 1 as x from pg_sleep(30)`)),
    ].map((p) => p.then(() => 'finished', (e: Error) => e.message));
    // both statements must be running on the server before the cancel (connecting takes a while on a loaded machine)
    for (let i = 0; i < 200; i++) {
      const [{ n }] = await pgQuery(`select count(*)::int as n from pg_stat_activity where query like '%pg_sleep(30)%' and state = 'active' and pid <> pg_backend_pid()`);
      if (n === 2) break;
      await sleep(50);
    }
    await a.cancelAll();
    expect(await Promise.all(running)).toEqual(['canceling statement due to user request', 'canceling statement due to user request']);
    expect(Date.now() - t0).toBeLessThan(10_000);
    // the connections are reusable afterwards
    expect(await a.withConnection((c) => c.query('select 1 as ok'))).toEqual([{ ok: 1 }]);
    expect(await pgQuery(`select count(*)::int as n from pg_stat_activity where query like '%pg_sleep(30)%' and state = 'active' and pid <> pg_backend_pid()`)).toEqual([{ n: 0 }]);
  });

  it('a connection the server terminates mid-statement fails that statement clearly; the pool replaces it', async () => {
    const a = use(adapter({}, 1));
    const pid = await a.withConnection(async (c) => (await c.query('select pg_backend_pid() as pid'))[0].pid);
    const running = a.withConnection((c) => c.query('select pg_sleep(30)')).then(
      () => 'finished',
      (e: Error) => e.message,
    );
    await sleep(300);
    await pgQuery(`select pg_terminate_backend(${pid})`);
    expect(await running).toMatch(/^the connection to the postgres server was lost while running a statement: terminating connection due to administrator command/);
    expect(await a.withConnection((c) => c.query('select 1 as ok'))).toEqual([{ ok: 1 }]);
  });

  it('an idle connection the server terminates does not crash the process; the next statement gets a new one', async () => {
    const a = use(adapter({}, 1));
    const pid = await a.withConnection(async (c) => (await c.query('select pg_backend_pid() as pid'))[0].pid);
    await pgQuery(`select pg_terminate_backend(${pid})`);
    await sleep(200);
    const next = await a.withConnection(async (c) => (await c.query('select pg_backend_pid() as pid'))[0].pid);
    expect(next).not.toBe(pid);
  });

  it('threads bound the connections; waiting statements get one when another is released', async () => {
    const a = use(adapter({}, 2));
    const sessions = new Set<PgSession>();
    await Promise.all(
      Array.from({ length: 6 }, () =>
        a.withConnection(async (c) => {
          sessions.add(c as PgSession);
          await c.query('select pg_sleep(0.05)');
        }),
      ),
    );
    expect(sessions.size).toBe(2);
  });

  it('a wrong password or an unreachable server: a WarehouseError naming where, never the password', async () => {
    const wrong = 'Secret-Wrong-Pw-1';
    const bad = use(adapter({ password: wrong }));
    const e1 = await bad.listRelations().catch((e) => e);
    expect(e1).toBeInstanceOf(WarehouseError);
    expect(e1.message).toMatch(/^cannot connect to postgres at 127\.0\.0\.1:\d+ \(database shop, user tsql\): password authentication failed for user "tsql"$/);
    expect(e1.message).not.toContain(wrong);

    const c = pgConnection();
    const closed = use(adapter({ port: 1, connect_timeout: 3 }));
    const e2 = await closed.withConnection((x) => x.query('select 1')).catch((e) => e);
    expect(e2).toBeInstanceOf(WarehouseError);
    expect(e2.message).toMatch(/^cannot connect to postgres at 127\.0\.0\.1:1 \(database shop, user tsql\): .*ECONNREFUSED/);
    expect(e2.message).not.toContain(c.password);
  });

  it("dbt-postgres's `pass:` is the password; a pass that contradicts password is refused", async () => {
    const c = pgConnection();
    const base = { type: 'postgres', host: c.host, port: c.port, user: c.user, dbname: c.database };
    const viaPass = use(new PostgresAdapter(postgresOutputSchema.parse({ ...base, pass: c.password }), 1));
    expect(await viaPass.withConnection((x) => x.query('select 1 as ok'))).toEqual([{ ok: 1 }]);
    const both = postgresOutputSchema.safeParse({ ...base, pass: 'a', password: 'b' });
    expect(both.success).toBe(false);
    expect(both.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['pass', "is another password than password (pass is dbt's other name for it); give one of them"]]);
  });

  it('sslmode: prefer falls back to plain when the server has no SSL; require does not', async () => {
    const prefer = use(adapter({ sslmode: 'prefer' }));
    expect(await prefer.withConnection((c) => c.query('select 1 as ok'))).toEqual([{ ok: 1 }]);
    const require = use(adapter({ sslmode: 'require' }));
    await expect(require.withConnection((c) => c.query('select 1'))).rejects.toThrow(/The server does not support SSL connections/);
  });

  it('search_path and role are set on every connection', async () => {
    const a = use(adapter({ search_path: `${schema}, public`, role: 'tsql' }));
    const rows = await a.withConnection((c) => c.query('select current_setting(\'search_path\') as path, current_user as who'));
    expect(rows).toEqual([{ path: `${schema}, public`, who: 'tsql' }]);
    const noRole = use(adapter({ role: 'no_such_role' }));
    await expect(noRole.withConnection((c) => c.query('select 1'))).rejects.toThrow(/cannot set up the postgres session: role "no_such_role" does not exist/);
  });
});

describe('PostgresAdapter catalog', () => {
  it('lists tables and views with their kinds, and columns with full types', async () => {
    const a = use(adapter());
    await a.withConnection(async (c) => {
      await c.execute(`create table "${schema}".cat_t (id int, name varchar(20), amount numeric(10, 2), tags text[])`);
      await c.execute(`create view "${schema}".cat_v as select id from "${schema}".cat_t`);
      await c.execute(`create materialized view "${schema}".cat_m as select id from "${schema}".cat_t`);
    });
    const mine = (await a.listRelations()).filter((r) => r.schema === schema && r.identifier.startsWith('cat_'));
    expect(mine.sort((x, y) => x.identifier.localeCompare(y.identifier))).toEqual([
      { database: 'shop', schema, identifier: 'cat_t', kind: 'table' },
      { database: 'shop', schema, identifier: 'cat_v', kind: 'view' },
    ]);
    const columns = await a.listColumns();
    expect(columns.get(`shop.${schema}.cat_t`)).toEqual([
      { name: 'id', dataType: 'integer' },
      { name: 'name', dataType: 'character varying(20)' },
      { name: 'amount', dataType: 'numeric(10,2)' },
      { name: 'tags', dataType: 'text[]' },
    ]);
    expect(columns.get(`shop.${schema}.cat_v`)).toEqual([{ name: 'id', dataType: 'integer' }]);
    const direct = await a.withConnection((c) => a.getColumns(c, { database: 'shop', schema, identifier: 'cat_t' }));
    expect(direct).toEqual(columns.get(`shop.${schema}.cat_t`));
    expect(a.describe()).toMatch(/^postgres tsql@127\.0\.0\.1:\d+\/shop$/);
  });
});
