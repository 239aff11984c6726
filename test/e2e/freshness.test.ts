import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TSQL_SCHEMA_VERSION } from '../../src/artifacts/write.js';
import { TempProject, type CliResult } from '../helpers/project.js';
import type { FreshnessResult } from '../../src/cli/commands/freshness.js';

/**
 * One warehouse for the whole file: `tsql run` creates the source tables once
 * (on-run-start hooks), each test then writes its own sources.yml.
 */
const HOURS = 3600;
const DAYS = 86400;

const PROJECT = `name: shop
profile: shop
on-run-start:
  - "create schema if not exists raw"
  - "create or replace table raw.events as select now() - interval 3 hour as loaded_at"
  - "create or replace table raw.orders as select * from (values (now() - interval 30 minute, 1), (now() - interval 2 day, 2)) as t(loaded_at, id)"
  - "create or replace table raw.users as select now() - interval 3 day as updated_at"
  - "create or replace table raw.empty as select now() as loaded_at where false"
  - "create or replace table raw.mixed as select * from (values (now() - interval 5 day, 'old'), (now() - interval 10 minute, 'new')) as t(loaded_at, kind)"
  - "create or replace table raw.archive as select now() - interval 30 day as loaded_at"
`;

let p: TempProject;

beforeAll(() => {
  p = new TempProject({ 'tsql_project.yml': PROJECT, 'models/one.sql': 'select 1 as x\n' });
  const r = p.tsql(['run']);
  if (r.code !== 0) throw new Error(`setup: tsql run failed\n${r.stdout}${r.stderr}`);
});

afterAll(() => p?.cleanup());

interface SourcesJson {
  metadata: Record<string, unknown>;
  elapsed_time: number;
  results: FreshnessResult[];
}

function freshness(sourcesYml: string, args: string[] = []): CliResult {
  p.write({ 'models/sources.yml': sourcesYml });
  rmSync(join(p.dir, 'target/sources.json'), { force: true });
  return p.tsql(['source', 'freshness', ...args]);
}

function sourcesJson(path = join(p.dir, 'target/sources.json')): SourcesJson {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function byId(json: SourcesJson): Record<string, FreshnessResult> {
  return Object.fromEntries(json.results.map((r) => [r.unique_id, r]));
}

/** Console lines without their clock prefix. */
function lines(r: CliResult): string[] {
  return r.stdout.split('\n').map((l) => l.replace(/^\d\d:\d\d:\d\d {2}/, ''));
}

/** The result line of one source table (not its START line), checked in full. */
function expectLine(r: CliResult, table: string, word: 'PASS' | 'WARN' | 'ERROR', total: number): void {
  const found = lines(r).filter((l) => new RegExp(`^\\d+ of \\d+ (?:PASS|WARN|ERROR) freshness of ${table.replace('.', '\\.')} `).test(l));
  expect(found, `one line for ${table}\n${r.stdout}`).toHaveLength(1);
  expect(found[0]).toMatch(new RegExp(`^\\d+ of ${total} ${word} freshness of ${table.replace('.', '\\.')} \\.+ \\[${word} in \\d+\\.\\d\\ds\\]$`));
}

function summary(r: CliResult): string {
  const m = /Done\. PASS=\d+ WARN=\d+ ERROR=\d+ SKIP=\d+ TOTAL=\d+/.exec(r.stdout);
  expect(m, r.stdout + r.stderr).not.toBeNull();
  return m![0];
}

/** The age is measured a few seconds after `tsql run` made the rows. */
function expectAge(result: FreshnessResult, seconds: number): void {
  expect(result.max_loaded_at_time_ago_in_s).toBeGreaterThanOrEqual(seconds);
  expect(result.max_loaded_at_time_ago_in_s).toBeLessThan(seconds + 120);
  // consistent with the two timestamps
  const span = (Date.parse(result.snapshotted_at!) - Date.parse(result.max_loaded_at!)) / 1000;
  expect(Math.abs(span - result.max_loaded_at_time_ago_in_s!)).toBeLessThan(1);
}

const SOURCE_LEVEL = `version: 2
sources:
  - name: raw
    schema: raw
    loaded_at_field: loaded_at
    freshness:
      warn_after: {count: 1, period: hour}
      error_after: {count: 1, period: day}
    tables:
      - name: events
      - name: orders
      - name: users
        loaded_at_field: updated_at
      - name: empty
      - name: archive
        freshness: null
`;

const HOUR_DAY = { warn_after: { count: 1, period: 'hour' }, error_after: { count: 1, period: 'day' }, filter: null };

describe('tsql source freshness', () => {
  it('pass, warn, error and runtime error (no rows); freshness: null is not checked; exit 1; target/sources.json', () => {
    const r = freshness(SOURCE_LEVEL);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(lines(r)[0]).toMatch(/^Checking freshness of 4 source tables on duckdb /);
    expectLine(r, 'raw.orders', 'PASS', 4); // 30 minutes
    expectLine(r, 'raw.events', 'WARN', 4); // 3 hours
    expectLine(r, 'raw.users', 'ERROR', 4); // 3 days, by its own loaded_at_field
    expectLine(r, 'raw.empty', 'ERROR', 4); // no rows: runtime error
    expect(r.stdout).not.toContain('raw.archive');
    expect(summary(r)).toBe('Done. PASS=1 WARN=1 ERROR=2 SKIP=0 TOTAL=4');

    const out = lines(r);
    expect(out).toContain('Completed with 2 errors and 1 warning:');
    const events = out.indexOf('Warning in source raw.events (models/sources.yml)');
    expect(events, r.stdout).toBeGreaterThan(0);
    expect(out[events + 1]).toMatch(/^ {2}stale: newest row is 3\.0 hours old$/);
    const empty = out.indexOf('Failure in source raw.empty (models/sources.yml)');
    expect(empty, r.stdout).toBeGreaterThan(0);
    expect(out[empty + 1]).toBe('  no rows with a loaded_at');
    const users = out.indexOf('Failure in source raw.users (models/sources.yml)');
    expect(users, r.stdout).toBeGreaterThan(0);
    expect(out[users + 1]).toBe('  stale: newest row is 3.0 days old');

    const json = sourcesJson();
    expect(json.metadata.tsql_schema_version).toBe(TSQL_SCHEMA_VERSION);
    expect(json.metadata.artifact).toBe('sources');
    expect(json.results.map((x) => x.unique_id)).toEqual(['source.shop.raw.empty', 'source.shop.raw.events', 'source.shop.raw.orders', 'source.shop.raw.users']);
    const res = byId(json);

    expect(res['source.shop.raw.events']).toMatchObject({ status: 'warn', criteria: HOUR_DAY, message: 'newest row is 3.0 hours old' });
    expectAge(res['source.shop.raw.events'], 3 * HOURS);
    expect(res['source.shop.raw.orders']).toMatchObject({ status: 'pass', criteria: HOUR_DAY, message: 'newest row is 30 minutes old' });
    expectAge(res['source.shop.raw.orders'], 30 * 60);
    expect(res['source.shop.raw.users']).toMatchObject({ status: 'error', criteria: HOUR_DAY, message: 'newest row is 3.0 days old' });
    expectAge(res['source.shop.raw.users'], 3 * DAYS);
    expect(res['source.shop.raw.empty']).toMatchObject({
      status: 'runtime error',
      max_loaded_at: null,
      max_loaded_at_time_ago_in_s: null,
      criteria: HOUR_DAY,
      message: 'no rows with a loaded_at',
    });
    for (const x of json.results) {
      expect(x.snapshotted_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      if (x.max_loaded_at !== null) expect(x.max_loaded_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(x.execution_time).toBeGreaterThanOrEqual(0);
    }
  });

  it('only warnings: exit 0; --select source:raw.events restricts the check', () => {
    const r = freshness(SOURCE_LEVEL, ['--select', 'source:raw.events']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lines(r)[0]).toMatch(/^Checking freshness of 1 source table on duckdb /);
    expectLine(r, 'raw.events', 'WARN', 1);
    expect(r.stdout).not.toMatch(/raw\.(orders|users|empty)/);
    expect(r.stdout).toContain('Completed with 1 warning:');
    expect(r.stdout).toMatch(/Warning in source raw\.events \(.+\.yml\)\n.*stale: newest row is .+ old/);
    expect(summary(r)).toBe('Done. PASS=0 WARN=1 ERROR=0 SKIP=0 TOTAL=1');
    expect(sourcesJson().results.map((x) => [x.unique_id, x.status])).toEqual([['source.shop.raw.events', 'warn']]);

    const pass = freshness(SOURCE_LEVEL, ['--select', 'source:raw.orders']);
    expect(pass.code).toBe(0);
    expect(summary(pass)).toBe('Done. PASS=1 WARN=0 ERROR=0 SKIP=0 TOTAL=1');

    const error = freshness(SOURCE_LEVEL, ['--select', 'source:raw.users']);
    expect(error.code).toBe(1);
    expect(summary(error)).toBe('Done. PASS=0 WARN=0 ERROR=1 SKIP=0 TOTAL=1');
  });

  it('--output writes sources.json where asked, relative to the project', () => {
    rmSync(join(p.dir, 'out'), { recursive: true, force: true });
    const r = freshness(SOURCE_LEVEL, ['--select', 'source:raw.orders', '--output', 'out/fresh.json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(join(p.dir, 'target/sources.json'))).toBe(false);
    const json = sourcesJson(join(p.dir, 'out/fresh.json'));
    expect(json.metadata.tsql_schema_version).toBe(TSQL_SCHEMA_VERSION);
    expect(json.results.map((x) => [x.unique_id, x.status])).toEqual([['source.shop.raw.orders', 'pass']]);
  });

  it('a table-level freshness block replaces the source level one, in any period unit', () => {
    const r = freshness(`version: 2
sources:
  - name: raw
    schema: raw
    loaded_at_field: loaded_at
    freshness:
      warn_after: {count: 1, period: hour}
      error_after: {count: 1, period: day}
    tables:
      - name: events
        freshness:
          warn_after: {count: 4, period: hour}
          error_after: {count: 5, period: hour}
      - name: orders
        freshness:
          warn_after: {count: 10, period: minute}
          error_after: {count: 20, period: minute}
      - name: users
        loaded_at_field: updated_at
        freshness:
          warn_after: {count: 2, period: day}
          error_after: {count: 7, period: day}
`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expectLine(r, 'raw.events', 'PASS', 3); // 3 hours < 4 hours
    expectLine(r, 'raw.orders', 'ERROR', 3); // 30 minutes > 20 minutes
    expectLine(r, 'raw.users', 'WARN', 3); // 3 days: between 2 and 7
    expect(summary(r)).toBe('Done. PASS=1 WARN=1 ERROR=1 SKIP=0 TOTAL=3');
    const res = byId(sourcesJson());
    expect(res['source.shop.raw.events'].criteria).toEqual({ warn_after: { count: 4, period: 'hour' }, error_after: { count: 5, period: 'hour' }, filter: null });
    expect(res['source.shop.raw.orders'].criteria).toEqual({ warn_after: { count: 10, period: 'minute' }, error_after: { count: 20, period: 'minute' }, filter: null });
    expect(res['source.shop.raw.users'].criteria).toEqual({ warn_after: { count: 2, period: 'day' }, error_after: { count: 7, period: 'day' }, filter: null });
  });

  it('a table that sets only warn_after keeps the source level error_after (as in dbt)', () => {
    const r = freshness(`version: 2
sources:
  - name: raw
    schema: raw
    loaded_at_field: loaded_at
    freshness:
      warn_after: {count: 1, period: hour}
      error_after: {count: 1, period: day}
    tables:
      - name: users
        loaded_at_field: updated_at
        freshness:
          warn_after: {count: 2, period: hour}
`);
    expect(byId(sourcesJson())['source.shop.raw.users']).toMatchObject({
      status: 'error', // 3 days > the inherited 1 day
      criteria: { warn_after: { count: 2, period: 'hour' }, error_after: { count: 1, period: 'day' }, filter: null },
    });
    expect(r.code).toBe(1);
  });

  it('filter: only the matching rows count', () => {
    const source = (filter: string) => `version: 2
sources:
  - name: raw
    schema: raw
    tables:
      - name: mixed
        loaded_at_field: loaded_at
        freshness:
          warn_after: {count: 1, period: hour}
          error_after: {count: 2, period: day}
${filter}`;
    const all = freshness(source(''));
    expect(all.code).toBe(0);
    expectLine(all, 'raw.mixed', 'PASS', 1); // the 10-minute-old 'new' row
    expect(byId(sourcesJson())['source.shop.raw.mixed']).toMatchObject({ status: 'pass', criteria: { filter: null } });
    expectAge(byId(sourcesJson())['source.shop.raw.mixed'], 10 * 60);

    const old = freshness(source(`          filter: "kind = 'old'"\n`));
    expect(old.stderr).toBe('');
    expect(old.code).toBe(1);
    expectLine(old, 'raw.mixed', 'ERROR', 1); // 5 days > 2 days
    const res = byId(sourcesJson())['source.shop.raw.mixed'];
    expect(res).toMatchObject({
      status: 'error',
      criteria: { warn_after: { count: 1, period: 'hour' }, error_after: { count: 2, period: 'day' }, filter: "kind = 'old'" },
      message: 'newest row is 5.0 days old',
    });
    expectAge(res, 5 * DAYS);
  });

  it('sources without freshness, or with freshness: null, are not checked', () => {
    const r = freshness(`version: 2
sources:
  - name: raw
    schema: raw
    loaded_at_field: loaded_at
    tables:
      - name: events
      - name: archive
        freshness: null
  - name: other
    schema: raw
    loaded_at_field: loaded_at
    freshness:
      error_after: {count: 1, period: day}
    tables:
      - name: archive
        freshness: null
      - name: orders
`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lines(r)[0]).toMatch(/^Checking freshness of 1 source table on duckdb /);
    expectLine(r, 'other.orders', 'PASS', 1);
    expect(sourcesJson().results.map((x) => [x.unique_id, x.status, x.criteria])).toEqual([
      ['source.shop.other.orders', 'pass', { warn_after: null, error_after: { count: 1, period: 'day' }, filter: null }],
    ]);
  });

  it('a source table that does not exist is a runtime error', () => {
    const r = freshness(`version: 2
sources:
  - name: raw
    schema: raw
    loaded_at_field: loaded_at
    freshness:
      warn_after: {count: 1, period: hour}
    tables:
      - name: ghost
      - name: orders
`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expectLine(r, 'raw.ghost', 'ERROR', 2);
    expectLine(r, 'raw.orders', 'PASS', 2);
    expect(summary(r)).toBe('Done. PASS=1 WARN=0 ERROR=1 SKIP=0 TOTAL=2');
    const ghost = byId(sourcesJson())['source.shop.raw.ghost'];
    expect(ghost).toMatchObject({ status: 'runtime error', max_loaded_at: null, max_loaded_at_time_ago_in_s: null });
    expect(ghost.message).toMatch(/^Catalog Error: Table with name ghost does not exist/);
  });

  it('a malformed period stops with exit 2 and one line naming the file, before anything is checked', () => {
    const r = freshness(`version: 2
sources:
  - name: raw
    schema: raw
    loaded_at_field: loaded_at
    tables:
      - name: orders
        freshness:
          warn_after: {count: 1, period: hour}
      - name: events
        freshness:
          warn_after: {count: 2, period: fortnight}
`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: models\/sources\.yml(?::\d+)?: source raw\.events: freshness period 'fortnight' is not one of minute, hour, day\n$/);
    expect(r.stdout).toBe('');
    expect(existsSync(join(p.dir, 'target/sources.json'))).toBe(false);
  });
});
