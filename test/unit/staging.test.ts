import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterFactory } from '../../src/adapters/registry.js';
import type { Adapter, Connection, Relation, RelationKind } from '../../src/adapters/types.js';
import { buildAside, withScratch, type MaterializeContext } from '../../src/materializations/context.js';

// withScratch and buildAside on a real DuckDB file: what is left after success, failure and a
// leftover of an earlier, stopped run; and that the drop after a failure is a clean-up statement.

let dir: string;
let adapter: Adapter;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsql-staging-'));
  const factory = adapterFactory('duckdb')!;
  const output = factory.outputSchema.parse({ type: 'duckdb', path: join(dir, 'w.duckdb'), threads: 1 });
  adapter = factory.create(output, { projectDir: dir, threads: 1 });
});
afterAll(async () => {
  await adapter.close();
  rmSync(dir, { recursive: true, force: true });
});

const rel = (identifier: string): Relation => ({ database: 'w', schema: 'main', identifier });

/** A context over `conn` that records what ran through run() and what ran as a clean-up. */
function contextOn(conn: Connection) {
  const ran: string[] = [];
  const cleanups: string[] = [];
  const recording: Connection = Object.create(conn, {
    cleanup: {
      value: (sql: string) => {
        cleanups.push(sql);
        return conn.cleanup ? conn.cleanup(sql) : conn.execute(sql);
      },
    },
  });
  const ctx = {
    adapter,
    dialect: adapter.dialect,
    conn: recording,
    run: (sql: string) => {
      ran.push(sql);
      return conn.execute(sql);
    },
    query: (sql: string) => conn.query(sql),
    record: () => undefined,
    columns: (r: Relation) => adapter.getColumns(conn, r),
    existing: () => undefined,
    markExisting: () => undefined,
    fullRefresh: false,
    lakeRoot: dir,
    runDate: '2024-01-01',
  } as MaterializeContext;
  return { ctx, ran, cleanups };
}

async function kindOf(conn: Connection, name: string): Promise<RelationKind | undefined> {
  const found = (await adapter.listRelations(conn)).find((r) => r.identifier === name);
  return found?.kind;
}

describe('withScratch', () => {
  it('drops a leftover first, and the relation after the work succeeded', async () => {
    await adapter.withConnection(async (conn) => {
      await conn.execute('create table main.s1 as select 42 as stale');
      const { ctx, ran } = contextOn(conn);
      const n = await withScratch(ctx, rel('s1'), 'table', async () => {
        await ctx.run(`create table main.s1 as select 1 as x union all select 2`);
        return Number((await ctx.query('select count(*) as n from main.s1'))[0].n);
      });
      expect(n).toBe(2);
      expect(ran[0]).toMatch(/^drop table if exists .*"s1"/);
      expect(await kindOf(conn, 's1')).toBeUndefined();
    });
  });

  it('drops the relation through a clean-up statement when the work fails, and rethrows', async () => {
    await adapter.withConnection(async (conn) => {
      const { ctx, cleanups } = contextOn(conn);
      const failing = withScratch(ctx, rel('s2'), 'table', async () => {
        await ctx.run('create table main.s2 as select 1 as x');
        throw new Error('the check failed');
      });
      await expect(failing).rejects.toThrow('the check failed');
      expect(cleanups).toEqual([expect.stringMatching(/^drop table if exists .*"s2"/)]);
      expect(await kindOf(conn, 's2')).toBeUndefined();
    });
  });
});

describe('buildAside', () => {
  it('keeps what the build made when it succeeds', async () => {
    await adapter.withConnection(async (conn) => {
      const { ctx, cleanups } = contextOn(conn);
      const out = await buildAside(ctx, rel('b1'), 'view', async () => {
        await ctx.run('create view main.b1 as select 1 as x');
        return 'built';
      });
      expect(out).toBe('built');
      expect(cleanups).toEqual([]);
      expect(await kindOf(conn, 'b1')).toBe('view');
    });
  });

  it('drops what the build made when it fails, and leaves the target as it was', async () => {
    await adapter.withConnection(async (conn) => {
      await conn.execute('create table main.target_t as select 7 as kept');
      const { ctx } = contextOn(conn);
      const failing = buildAside(ctx, rel('b2'), 'table', async () => {
        await ctx.run('create table main.b2 as select 1 as x');
        await ctx.run('select no_such_column from main.b2');
      });
      await expect(failing).rejects.toThrow(/no_such_column/);
      expect(await kindOf(conn, 'b2')).toBeUndefined();
      expect(await conn.query('select kept from main.target_t')).toEqual([{ kept: 7 }]);
    });
  });
});
