/**
 * Seeds of any size stream from their file: typed from the first MiB, every
 * later row checked while it loads, memory bounded. A row past the sample that
 * does not fit fails the seed with its file and line, and the previous table
 * stays. Memory is the child's own peak (VmHWM), as the kernel counts it.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useProjects, type TempProject } from '../helpers/project.js';
import { pgConnection, pgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';
import { lineAt, watchCli } from '../helpers/watch-cli.js';

const project = useProjects();

/** A CSV block of `rows` rows starting at id `from`: quoted commas, doubled quotes, quoted newlines, nulls. */
function block(from: number, rows: number): string {
  let out = '';
  for (let i = from; i < from + rows; i++) {
    const note = i % 10 === 0 ? '"two\nlines, ""quoted"""' : i % 7 === 0 ? '' : `note ${i % 13}`;
    out += `${i},"name ${i % 97}, ok",${i % 1000}.25,2024-01-${String((i % 28) + 1).padStart(2, '0')},${note}\n`;
  }
  return out;
}

const HEADER = 'id,name,amount,day,note\n';

/** Writes `copies` times the same block after the header (fast: a gigabyte in seconds); returns the rows written. */
function writeSeed(file: string, blockRows: number, copies: number, tail = ''): number {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, HEADER);
    const b = Buffer.from(block(1, blockRows));
    for (let k = 0; k < copies; k++) writeSync(fd, b);
    if (tail) writeSync(fd, tail);
  } finally {
    closeSync(fd);
  }
  return blockRows * copies;
}

describe('a seed bigger than its sample', () => {
  it('a value past the first MiB that does not fit fails the seed with its line, and the old table stays', async () => {
    const p = project({ 'seeds/events.csv': HEADER + block(1, 50) });
    expect(p.tsql(['seed']).code).toBe(0);
    const file = join(p.dir, 'seeds', 'events.csv');
    // ~3 MiB of good rows, then a word in the integer column `id`
    const good = writeSeed(file, 1000, 50, 'oops,"x",1.25,2024-01-01,\n');
    const badLine = 2 + good + good / 10; // every tenth row spans two lines
    const r = p.tsql(['seed']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(`seeds/events.csv:${badLine}: cannot convert value "oops" in column "id" to bigint`);
    expect(r.stdout).toContain('inferred from the first 1 MiB of the file');
    expect(await p.query('select count(*)::int as n, max(id)::int as m from events')).toEqual([{ n: 50, m: 50 }]);
    expect(await p.query("select count(*)::int as n from information_schema.tables where table_name like 'events__tsql%'")).toEqual([{ n: 0 }]);

    // a ragged row there: the same
    writeSeed(file, 1000, 50, '1,2\n');
    const ragged = p.tsql(['seed']);
    expect(ragged.code).toBe(1);
    expect(ragged.stdout).toContain(`seeds/events.csv:${badLine}: row has 2 fields but the header has 5 columns`);
    expect(await p.query('select count(*)::int as n from events')).toEqual([{ n: 50 }]);
  });

  it('types it from the sample, widened: integers as bigint, decimals with precision 38', async () => {
    const p = project({ 'seeds/events.csv': '' });
    const file = join(p.dir, 'seeds', 'events.csv');
    const rows = writeSeed(file, 1000, 30, '99999999999,"big",123456789012.5,2024-02-01,\n');
    const r = p.tsql(['seed']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`INSERT ${rows + 1} `));
    const cols = await p.query("select column_name, data_type from information_schema.columns where table_name = 'events' order by ordinal_position");
    expect(cols).toEqual([
      { column_name: 'id', data_type: 'BIGINT' },
      { column_name: 'name', data_type: 'VARCHAR' },
      { column_name: 'amount', data_type: 'DECIMAL(38,2)' },
      { column_name: 'day', data_type: 'DATE' },
      { column_name: 'note', data_type: 'VARCHAR' },
    ]);
    expect(await p.query("select note from events where id = 10 limit 1")).toEqual([{ note: 'two\nlines, "quoted"' }]);
    expect(await p.query('select max(id)::varchar as m, max(amount)::varchar as a from events')).toEqual([{ m: '99999999999', a: '123456789012.50' }]);
  });

  it('a 1 GB seed loads in bounded memory, and its node starts long before it has been read', async () => {
    const p = project({ 'seeds/big.csv': '' });
    const copies = Math.ceil(2 ** 30 / Buffer.byteLength(block(1, 10_000)));
    const rows = writeSeed(join(p.dir, 'seeds', 'big.csv'), 10_000, copies);
    const run = await watchCli(['seed'], p.dir, { timeoutMs: 1_500_000 });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`OK loaded seed file main\\.big .*\\[INSERT ${rows} in`));
    expect(run.peakMb, `peak memory ${run.peakMb} MB`).toBeLessThan(500);
    const started = lineAt(run, /START seed file main\.big/)!;
    const loaded = lineAt(run, /OK loaded seed file main\.big/)!;
    expect(started).toBeLessThan(loaded / 5);
    expect(await p.query('select count(*)::int as n from big')).toEqual([{ n: rows }]);
  }, 1_600_000);
});

describe('a seed streamed into PostgreSQL', () => {
  const schemas: string[] = [];
  afterEach(async () => {
    const drop = schemas.splice(0);
    if (drop.length) await pgQuery(drop.map((s) => `drop schema if exists "${s}" cascade`).join(';\n'));
  });

  function pgProject(): { p: TempProject; schema: string; env: Record<string, string> } {
    const c = pgConnection();
    const schema = uniqueSchema('seedstream');
    schemas.push(schema);
    return { p: project({ 'seeds/events.csv': HEADER + block(1, 20) }, { profile: pgProfile(schema, 'PGPW') }), schema, env: { PGPW: c.password } };
  }

  it('COPYs tens of megabytes as they are read, in bounded memory; a late misfit keeps the old table', async () => {
    const { p, schema, env } = pgProject();
    expect(p.tsql(['seed'], env).code).toBe(0);
    const file = join(p.dir, 'seeds', 'events.csv');
    const rows = writeSeed(file, 10_000, 60);
    const run = await watchCli(['seed'], p.dir, { env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`\\[INSERT ${rows} in`));
    // the whole file (about 30 MB) held at once, as text and rows, took several times this
    expect(run.peakMb, `peak memory ${run.peakMb} MB`).toBeLessThan(250);
    expect(await pgQuery(`select count(*)::int as n from "${schema}".events`)).toEqual([{ n: rows }]);
    expect(await pgQuery(`select note from "${schema}".events where id = 20 limit 1`)).toEqual([{ note: 'two\nlines, "quoted"' }]);

    writeFileSync(file, HEADER + block(1, 30_000) + 'x,1,1.25,2024-01-01,\n');
    const bad = p.tsql(['seed'], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('cannot convert value "x" in column "id" to bigint');
    expect(await pgQuery(`select count(*)::int as n from "${schema}".events`)).toEqual([{ n: rows }]);
    expect(await pgQuery(`select count(*)::int as n from information_schema.tables where table_schema = '${schema}' and table_name like 'events__tsql%'`)).toEqual([{ n: 0 }]);
  });
});
