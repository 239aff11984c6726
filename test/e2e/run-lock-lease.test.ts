/**
 * One run at a time where no connection lasts exactly as long as the run:
 * Snowflake (a lease row taken with one MERGE, renewed by a heartbeat) and the
 * Redshift Data API (the lock table locked in a session kept alive by a
 * heartbeat). A second run is refused naming the first, --wait queues, and a
 * run killed with SIGKILL holds the lock at most for its lease. On the Data
 * API the next run also ends the statements the killed run left running.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListStatementsCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, TempProject } from '../helpers/project.js';
import { collide, GATED_PG_MODEL, HOST, pgGate, startRun as start } from '../helpers/run-lock.js';
import { pgConnection, pgQuery, uniqueSchema } from '../helpers/pg-server.js';
import { sfClient, standinProfile, type SfClient } from '../helpers/snowflake.js';
import { startDataApiStandin, type DataApiStandin } from '../redshift-standin/data-api-server.js';
import { createDuckDBEngine } from '../snowflake-standin/engine.js';
import type { Engine } from '../snowflake-standin/engine-types.js';
import { startSnowflakeStandin, type SnowflakeStandin } from '../snowflake-standin/server.js';

const cleanup: Array<() => unknown> = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

describe('run lock on Snowflake (stand-in)', () => {
  const PASSWORD_ENV = 'TSQL_TEST_SF_PASSWORD';
  const PASSWORD = 'sf-lock-7d2k';
  const DATABASE = 'TSQL_LOCK';
  let engine: Engine;
  let standin: SnowflakeStandin;
  let client: SfClient;

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'tsql-sf-lock-'));
    cleanup.push(() => rmSync(root, { recursive: true, force: true }));
    engine = await createDuckDBEngine({ directory: join(root, 'engine') });
    standin = await startSnowflakeStandin({ engine, users: { tsql: PASSWORD } });
    client = await sfClient(standin, { user: 'tsql', password: PASSWORD, database: DATABASE });
    cleanup.push(() => engine.close(), () => standin.close(), () => client.close());
  });

  function sfProject(lease = 120) {
    const schema = uniqueSchema('sflock');
    const profile = standinProfile(standin, { database: DATABASE, schema, passwordEnv: PASSWORD_ENV }) + `      run_lock_lease_seconds: ${lease}\n`;
    // the slowQuery fault holds the statements with 'slow_marker' (--vars '{mark: slow_marker}' puts it in one run's only)
    const p = new TempProject({ 'models/slow.sql': "{{ config(materialized='table') }}\nselect 1 as id, '{{ var('mark', 'slow_marker') }}' as m\n" }, { profile });
    cleanup.push(() => p.cleanup());
    return { p, schema: schema.toUpperCase(), env: { [PASSWORD_ENV]: PASSWORD } };
  }

  it('a second run is refused naming the first, --wait queues behind it, and the lease is free after each run', async () => {
    const { p, schema, env } = sfProject();
    // held until the two others have answered; they run without the marker
    p.write({ 'models/slow.sql': "{{ config(materialized='table') }}\nselect 1 as id, '{{ var('mark', 'quick') }}' as m\n" });
    let open: () => void = () => undefined;
    standin.setFaults({ slowQuery: { match: 'slow_marker', ms: 120_000, until: new Promise<void>((resolve) => (open = resolve)) } });
    try {
      const { refused } = await collide(['run', '--vars', '{mark: slow_marker}'], p.dir, env, `snowflake schema ${schema.toLowerCase()} of database ${DATABASE.toLowerCase()}: `, () => open());
      expect(refused.stderr).toMatch(/ UTC \(if that run is dead, its lock expires at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\); wait/);
    } finally {
      standin.setFaults({});
    }
    // every run freed its lease at its end
    const lease = await client.query(`select holder, run_id, expires_at from ${DATABASE}.${schema}.TSQL_RUN_LOCK`);
    expect(lease).toEqual([{ holder: null, run_id: null, expires_at: null }]);
  });

  it('a lease held elsewhere blocks until it expires (said in the message); a run killed here is taken over at once', async () => {
    const { p, schema, env } = sfProject(3);
    const ok = await runCliAsync(['run'], p.dir, env);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    // a run on another machine that stopped renewing its lease 3 seconds from now
    await client.query(`update ${DATABASE}.${schema}.TSQL_RUN_LOCK set holder = '4242@ci-7 20240103T060012Z', run_id = 'elsewhere', expires_at = dateadd(second, 3, current_timestamp())`);
    const refused = await runCliAsync(['run'], p.dir, env);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/on host ci-7, pid 4242, started 2024-01-03 06:00:12 UTC \(if that run is dead, its lock expires at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)/);
    const t0 = Date.now();
    const queued = await runCliAsync(['run', '--wait', '30'], p.dir, env);
    expect(queued.code, queued.stdout + queued.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(20_000);
    // SIGKILL mid-run: the lease stays behind, naming a process that is gone; the next run takes it over
    standin.setFaults({ slowQuery: { match: 'slow_marker', ms: 10_000 } });
    const killed = await start(['run'], p.dir, env, (child) => child.kill('SIGKILL'));
    standin.setFaults({});
    expect(killed.signal).toBe('SIGKILL');
    const held = await client.query(`select holder from ${DATABASE}.${schema}.TSQL_RUN_LOCK`);
    expect(String(held[0].holder)).toMatch(new RegExp(`^\\d+@${HOST.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `));
    const next = await runCliAsync(['run'], p.dir, env);
    expect(next.code, next.stdout + next.stderr).toBe(0);
  });
  it('Ctrl-C frees the lease: the next run starts at once', async () => {
    const { p, schema, env } = sfProject();
    standin.setFaults({ slowQuery: { match: 'slow_marker', ms: 30_000 } });
    const stopped = await start(['run'], p.dir, env, (child) => child.kill('SIGINT'));
    standin.setFaults({});
    expect(stopped.code, stopped.stdout + stopped.stderr).toBe(130);
    expect(await client.query(`select run_id from ${DATABASE}.${schema}.TSQL_RUN_LOCK`)).toEqual([{ run_id: null }]);
    const next = await runCliAsync(['run'], p.dir, env);
    expect(next.code, next.stdout + next.stderr).toBe(0);
  });

  it('a run whose lease another run took stops: its running statement is cancelled, nothing more starts', async () => {
    const { p, schema, env } = sfProject(2);
    p.write({ 'models/after.sql': "{{ config(materialized='table') }}\nselect * from {{ ref('slow') }}\n" });
    standin.setFaults({ slowQuery: { match: 'slow_marker', ms: 30_000 } });
    const run = start(['run'], p.dir, env, () => {
      // as a run that found the lease expired would: it is no longer this run's
      void client.query(`update ${DATABASE}.${schema}.TSQL_RUN_LOCK set holder = '4242@ci-7 20240103T060012Z', run_id = 'thief'`);
    });
    const t0 = Date.now();
    const r = await run;
    standin.setFaults({});
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/the run lock on snowflake schema \S+ was lost \(another run took it after it expired\): stopped, so that two runs never write the schema at once/);
    expect(r.stdout).not.toMatch(/START sql table model \S+\.after/);
    // the lease stays the other run's
    expect(await client.query(`select run_id from ${DATABASE}.${schema}.TSQL_RUN_LOCK`)).toEqual([{ run_id: 'thief' }]);
  });
});

describe('run lock on the Redshift Data API (stand-in)', () => {
  const AWS_ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_REGION: 'us-east-1' };
  let api: DataApiStandin;
  let database = '';

  beforeAll(async () => {
    const s3Root = mkdtempSync(join(tmpdir(), 'tsql-s3-lock-'));
    mkdirSync(join(s3Root, 'lake'));
    cleanup.push(() => rmSync(s3Root, { recursive: true, force: true }));
    database = `lock_api_${Math.random().toString(36).slice(2, 10)}`;
    await pgQuery(`create database "${database}"`);
    cleanup.push(() => pgQuery(`drop database if exists "${database}" with (force)`).catch(() => undefined));
    api = await startDataApiStandin({ pg: { ...pgConnection(), database: 'postgres' }, s3Root });
    cleanup.push(() => api.close());
  });

  function apiProject(model: string, lease = 120) {
    const schema = uniqueSchema('apilock');
    const profile = `shop:
  target: dev
  outputs:
    dev:
      type: redshift
      method: data_api
      endpoint: ${api.endpoint}
      region: us-east-1
      cluster_identifier: tsql-test
      database: ${database}
      db_user: tsql
      schema: ${schema}
      threads: 2
      poll_max_ms: 200
      run_lock_lease_seconds: ${lease}
`;
    const p = new TempProject({ 'models/slow.sql': model }, { profile });
    cleanup.push(() => p.cleanup());
    return { p, schema, env: AWS_ENV };
  }

  const SLOW = "{{ config(materialized='table') }}\nselect 1 as id from (select pg_sleep({{ var('sleep', 0) }})) s\n";

  it('a second run is refused naming the first, and --wait queues behind it', async () => {
    const { p, schema, env } = apiProject(GATED_PG_MODEL);
    const gate = await pgGate(database);
    const { refused } = await collide(['run'], p.dir, env, `redshift schema ${schema} of database ${database}: `, gate.release);
    expect(refused.stderr).toMatch(/ UTC \(if that run is dead, its lock expires at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\); wait/);
  });

  it('after SIGKILL the lock ends with its lease, and the next run ends the statements the killed run left running', async () => {
    // a lease long enough for the next CLI to start on a loaded machine, short enough to wait out
    const { p, env } = apiProject(SLOW, 10);
    const killed = await start(['run', '--vars', '{sleep: 60}'], p.dir, env, (child) => setTimeout(() => child.kill('SIGKILL'), 500));
    expect(killed.signal).toBe('SIGKILL');
    const sleeping = () => pgQuery(`select pid from pg_stat_activity where datname = '${database}' and query like '%pg_sleep%' and state = 'active'`);
    expect((await sleeping()).length).toBeGreaterThan(0);
    // at once: the killed run's lock session is still alive, for at most its lease
    const refused = await runCliAsync(['run'], p.dir, env);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    // (or, when it comes late, that the lease ran out and the session is being closed)
    expect(refused.stderr).toMatch(/another tsql run holds the lock on redshift schema .*\((if that run is dead, its lock expires at|its lock expired at) \d{4}-/);
    const t0 = Date.now();
    const next = await runCliAsync(['run', '--wait', '40'], p.dir, env);
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(await sleeping()).toEqual([]);
    const client = new RedshiftDataClient({ endpoint: api.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      const running = await client.send(new ListStatementsCommand({ StatementName: 'tsql ', Status: 'STARTED' }));
      expect(running.Statements ?? []).toEqual([]);
      const aborted = await client.send(new ListStatementsCommand({ StatementName: 'tsql ', Status: 'ABORTED' }));
      expect((aborted.Statements ?? []).some((s) => /pg_sleep/.test(s.QueryString ?? ''))).toBe(true);
    } finally {
      client.destroy();
    }
  });
});
