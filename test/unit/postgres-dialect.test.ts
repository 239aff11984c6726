import { describe, expect, it } from 'vitest';
import { PostgresDialect } from '../../src/adapters/postgres/dialect.js';
import { makeObjectName } from '../../src/adapters/postgres/constraint-names.js';
import { csvChunks, csvField } from '../../src/seeds/csv-write.js';
import { pgClientConfig, postgresDatabaseName, postgresOutputSchema, sslModeOf, sslOption } from '../../src/adapters/postgres/index.js';
import { adapterFactory, PLANNED_ADAPTERS } from '../../src/adapters/registry.js';

const d = new PostgresDialect();
const target = { database: 'shop', schema: 'analytics', identifier: 'orders' };
const staged = { database: 'shop', schema: 'analytics', identifier: 'orders__tsql_incr' };

describe('PostgresDialect', () => {
  it('renders the statements the materializations send', () => {
    expect(d.createSchema('shop', 'analytics')).toBe('create schema if not exists "analytics"');
    expect(d.createView(target, 'select 1 as id')).toBe('create view "shop"."analytics"."orders" as (\nselect 1 as id\n)');
    expect(d.createTableAs(target, 'select 1 as id')).toBe('create table "shop"."analytics"."orders" as (\nselect 1 as id\n)');
    expect(d.createTableAs(target, 'select 1 as id', { temporary: true })).toBe('create temporary table "orders" as (\nselect 1 as id\n)');
    expect(d.dropRelation(target, 'table')).toBe('drop table if exists "shop"."analytics"."orders" cascade');
    expect(d.dropRelation(target, 'view')).toBe('drop view if exists "shop"."analytics"."orders" cascade');
    expect(d.renameRelation(staged, 'view', 'orders')).toBe('alter table if exists "shop"."analytics"."orders__tsql_incr" rename to "orders"');
    expect(d.deleteMatching(target, staged, ['id'])).toBe(
      'delete from "shop"."analytics"."orders"\nusing (select distinct "id" from "shop"."analytics"."orders__tsql_incr") as __tsql_source\nwhere "shop"."analytics"."orders"."id" = __tsql_source."id"',
    );
    expect(d.merge(target, staged, ['id'], ['id', 'amount'], ['amount'])).toBe(
      [
        'merge into "shop"."analytics"."orders" as DBT_INTERNAL_DEST',
        'using "shop"."analytics"."orders__tsql_incr" as DBT_INTERNAL_SOURCE',
        'on DBT_INTERNAL_DEST."id" = DBT_INTERNAL_SOURCE."id"',
        'when matched then update set "amount" = DBT_INTERNAL_SOURCE."amount"',
        'when not matched then insert ("id", "amount") values (DBT_INTERNAL_SOURCE."id", DBT_INTERNAL_SOURCE."amount")',
      ].join('\n'),
    );
    const [start, end] = [new Date('2024-01-02T00:00:00Z'), new Date('2024-01-03T00:00:00Z')];
    expect(d.deleteWhere(target, d.eventTimeWindow('event_date', start, end))).toBe(
      `delete from "shop"."analytics"."orders" where event_date >= '2024-01-02 00:00:00+00:00' and event_date < '2024-01-03 00:00:00+00:00'`,
    );
    expect(d.countOutsideEventTimeWindow(staged, 'event_date', start, end)).toBe(
      `select count(*) as n from "shop"."analytics"."orders__tsql_incr" where not coalesce(event_date >= '2024-01-02 00:00:00+00:00' and event_date < '2024-01-03 00:00:00+00:00', false)`,
    );
    expect(d.describeColumns(target)).toMatch(/format_type\(a\.atttypid, a\.atttypmod\) as type[\s\S]*n\.nspname = 'analytics' and c\.relname = 'orders'/);
  });

  it('renders COPY for seeds and client-side unloads', () => {
    expect(d.copyFromStdin(target, ['id', 'Note'])).toBe('copy "shop"."analytics"."orders" ("id", "Note") from stdin with (format csv)');
    expect(d.copyToStdout('select 1', {})).toBe('copy (\nselect 1\n) to stdout with (format csv, header true)');
    expect(d.copyToStdout('select 1', { delimiter: "'", header: false })).toBe("copy (\nselect 1\n) to stdout with (format csv, header false, delimiter '''')");
    expect(() => d.copyToStdout('select 1', { header: 'yes' })).toThrow(/header must be true or false/);
    expect(() => d.copyTo('select 1', '/tmp/x.csv', 'csv', {})).toThrow(/on the client/);
  });

  it('seed column types are Postgres types', () => {
    expect(['boolean', 'integer', 'bigint', 'double', 'date', 'timestamp', 'varchar'].map((t) => d.seedColumnType(t))).toEqual([
      'boolean',
      'integer',
      'bigint',
      'double precision',
      'date',
      'timestamp',
      'text',
    ]);
    expect(d.seedColumnType('decimal', 4, 2)).toBe('numeric(4, 2)');
  });
});

describe('unnamed constraints on PostgreSQL', () => {
  const staged = { schema: 'analytics', identifier: 'orders__tsql_tmp' };
  const cols = [
    { name: 'id', dataType: 'int' },
    { name: 'amount', dataType: 'numeric' },
    { name: 'Status', dataType: 'text', quoted: true },
  ];
  it('checks and foreign keys are named as PostgreSQL names them on the target, numbered when taken', () => {
    const sql = d.createContractedTable(
      staged,
      cols,
      [
        { type: 'check', columns: ['amount'], expression: 'amount >= 0' },
        { type: 'check', columns: [], expression: 'amount < 1000' },
        { type: 'check', columns: [], expression: `"Status" <> 'id' and length("Status") > 0` },
        { type: 'check', columns: [], expression: 'id > 0 and amount > 0' },
        { type: 'check', columns: [], expression: 'true', name: 'orders_check1' },
        { type: 'foreign_key', columns: ['id', 'amount'], references: '"analytics"."p"' },
      ],
      undefined,
      { schema: 'analytics', identifier: 'orders' },
    );
    expect(sql.split('\n').filter((l) => l.includes('constraint')).map((l) => l.trim().split(' ')[1])).toEqual([
      '"orders_amount_check"',
      '"orders_amount_check1"',
      '"orders_Status_check"',
      '"orders_check"',
      '"orders_check1"',
      '"orders_id_amount_fkey"',
    ]);
    expect(sql).not.toContain('tsql_tmp_');
  });
  it('cuts long names as PostgreSQL does, the longer part first, to 63 bytes (checked against the server)', () => {
    const long = 'a'.repeat(58);
    expect(makeObjectName(long, 'customer_identifier_long', 'check', 63)).toBe(`${'a'.repeat(32)}_customer_identifier_long_check`);
    expect(makeObjectName(long, 'b', 'check', 63)).toBe(`${'a'.repeat(55)}_b_check`);
    expect(makeObjectName(long, undefined, 'check', 63)).toBe(`${'a'.repeat(57)}_check`);
    expect(makeObjectName(`${'é'.repeat(31)}x`, 'customer_identifier_long', 'check', 63)).toBe(`${'é'.repeat(16)}_customer_identifier_long_check`);
  });
});

describe('COPY CSV encoding', () => {
  it('quotes every value, leaves NULL as an empty unquoted field', () => {
    expect([null, undefined, '', 'a,b', 'say "hi"', 'two\nlines', '\\.', 12.5, 3n, true, new Date('2024-01-03T10:00:00Z'), { a: 1 }].map(csvField)).toEqual([
      '',
      '',
      '""',
      '"a,b"',
      '"say ""hi"""',
      '"two\nlines"',
      '"\\."',
      '"12.5"',
      '"3"',
      '"true"',
      '"2024-01-03T10:00:00.000Z"',
      '"{""a"":1}"',
    ]);
  });

  it('cuts the stream into chunks of whole rows', () => {
    const rows = Array.from({ length: 100 }, (_, i) => [i, 'x'.repeat(10)]);
    const chunks = [...csvChunks(rows, 2, 100)];
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.every((c) => c.endsWith('\n'))).toBe(true);
    expect(chunks.join('').split('\n')).toHaveLength(101);
  });
});

describe('postgres profile output', () => {
  const base = { type: 'postgres', user: 'tsql', dbname: 'shop' };

  it('fills the defaults, and accepts database as dbname', () => {
    const o = postgresOutputSchema.parse(base);
    expect(o).toMatchObject({ host: 'localhost', port: 5432, schema: 'public', threads: 4, connect_timeout: 10 });
    expect(sslModeOf(o)).toBe('prefer');
    expect(postgresDatabaseName(postgresOutputSchema.parse({ type: 'postgres', user: 'u', database: 'warehouse' }))).toBe('warehouse');
    expect(adapterFactory('postgres')!.defaults(o)).toEqual({ database: 'shop', schema: 'public', threads: 4 });
    expect(PLANNED_ADAPTERS).not.toContain('postgres');
  });

  it('takes numbers where env_var() renders them (password, port)', () => {
    const o = postgresOutputSchema.parse({ ...base, password: 123456, port: '6543' });
    expect(o.password).toBe('123456');
    expect(o.port).toBe(6543);
  });

  it('rejects unknown keys, a bad sslmode, no database, or two different ones', () => {
    expect(postgresOutputSchema.safeParse({ ...base, passwrd: 'x' }).success).toBe(false);
    expect(postgresOutputSchema.safeParse({ ...base, sslmode: 'sometimes' }).success).toBe(false);
    const none = postgresOutputSchema.safeParse({ type: 'postgres', user: 'u' });
    expect(none.success).toBe(false);
    expect(none.error!.issues[0]).toMatchObject({ path: ['dbname'], message: 'is required (the database to connect to)' });
    expect(postgresOutputSchema.safeParse({ ...base, database: 'other' }).success).toBe(false);
  });

  it('takes sslrootcert: system as libpq 16 does: the system CAs, verify-full by default, nothing weaker', () => {
    const o = postgresOutputSchema.parse({ ...base, sslrootcert: 'system' });
    expect(sslModeOf(o)).toBe('verify-full');
    // no file is read: the system's CAs are node's own (no `ca`), with the host name checked
    expect(pgClientConfig(o).ssl).toEqual({ rejectUnauthorized: true });
    expect(sslModeOf(postgresOutputSchema.parse({ ...base, sslrootcert: 'system', sslmode: 'verify-full' }))).toBe('verify-full');
    for (const sslmode of ['require', 'verify-ca', 'prefer', 'disable']) {
      const r = postgresOutputSchema.safeParse({ ...base, sslrootcert: 'system', sslmode });
      expect(r.success, sslmode).toBe(false);
      expect(r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toContain('sslmode: must be verify-full with sslrootcert: system (as in libpq: a certificate from any public CA would pass a weaker check)');
    }
  });

  it('maps to pg settings: sslmode, timeouts, keepalives, search_path', () => {
    const c = pgClientConfig(postgresOutputSchema.parse({ ...base, sslmode: 'verify-full', connect_timeout: 3, keepalives_idle: 30, search_path: 'a b, public' }));
    expect(c).toMatchObject({
      host: 'localhost',
      port: 5432,
      database: 'shop',
      ssl: { rejectUnauthorized: true },
      connectionTimeoutMillis: 3000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 30000,
      options: '-c search_path=a\\ b,\\ public',
    });
    expect(sslOption('disable')).toBe(false);
    expect(sslOption('require')).toEqual({ rejectUnauthorized: false });
    expect(sslOption('verify-ca')).toMatchObject({ rejectUnauthorized: true });
  });
});
