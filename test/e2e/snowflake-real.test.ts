/**
 * Opt-in: the example pipeline end to end on a real Snowflake account.
 * Skipped unless these are set:
 *   SNOWFLAKE_TEST_ACCOUNT, SNOWFLAKE_TEST_USER, SNOWFLAKE_TEST_DATABASE, SNOWFLAKE_TEST_WAREHOUSE,
 *   SNOWFLAKE_TEST_PASSWORD or SNOWFLAKE_TEST_PRIVATE_KEY_PATH (SNOWFLAKE_TEST_PRIVATE_KEY_PASSPHRASE),
 *   SNOWFLAKE_TEST_LAKE_ROOT: a stage path the role may write and read (@db.schema.stage/prefix),
 *   or an s3:// URL with SNOWFLAKE_TEST_STORAGE_INTEGRATION; optionally SNOWFLAKE_TEST_ROLE.
 * Everything lands in fresh schemas named TSQL_E2E_<random>, dropped afterwards, except the
 * seed standing in for the shop's table, which loads into RETAIL.USER_PURCHASE as in the example;
 * the unloaded files stay under the lake root's tsql_e2e_<random>/ prefix.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterFactory } from '../../src/adapters/registry.js';
import type { Adapter } from '../../src/adapters/types.js';
import { REPO_ROOT, runCli, type CliResult } from '../helpers/project.js';

const env = process.env;
const enabled =
  !!(env.SNOWFLAKE_TEST_ACCOUNT && env.SNOWFLAKE_TEST_USER && env.SNOWFLAKE_TEST_DATABASE && env.SNOWFLAKE_TEST_WAREHOUSE && env.SNOWFLAKE_TEST_LAKE_ROOT) &&
  !!(env.SNOWFLAKE_TEST_PASSWORD || env.SNOWFLAKE_TEST_PRIVATE_KEY_PATH);

const run = `tsql_e2e_${Math.random().toString(36).slice(2, 8)}`;
const DS = '2024-01-03';

function output(): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: 'snowflake',
    account: env.SNOWFLAKE_TEST_ACCOUNT,
    user: env.SNOWFLAKE_TEST_USER,
    database: env.SNOWFLAKE_TEST_DATABASE,
    warehouse: env.SNOWFLAKE_TEST_WAREHOUSE,
    schema: run,
    threads: 4,
    query_tag: run,
    lake_root: `${env.SNOWFLAKE_TEST_LAKE_ROOT!.replace(/\/+$/, '')}/${run}`,
  };
  if (env.SNOWFLAKE_TEST_ROLE) out.role = env.SNOWFLAKE_TEST_ROLE;
  if (env.SNOWFLAKE_TEST_STORAGE_INTEGRATION) out.storage_integration = env.SNOWFLAKE_TEST_STORAGE_INTEGRATION;
  if (env.SNOWFLAKE_TEST_PASSWORD) out.password = env.SNOWFLAKE_TEST_PASSWORD;
  else {
    out.private_key_path = env.SNOWFLAKE_TEST_PRIVATE_KEY_PATH;
    if (env.SNOWFLAKE_TEST_PRIVATE_KEY_PASSPHRASE) out.private_key_passphrase = env.SNOWFLAKE_TEST_PRIVATE_KEY_PASSPHRASE;
  }
  return out;
}

describe.skipIf(!enabled)('the example pipeline on a real Snowflake account', () => {
  let dir: string;
  let adapter: Adapter;
  const tsql = (args: string[]): CliResult => runCli(args, dir);
  let first: CliResult;
  let second: CliResult;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsql-snowflake-'));
    for (const entry of ['tsql_project.yml', 'models', 'macros', 'seeds', 'tests']) {
      if (existsSync(join(REPO_ROOT, entry))) cpSync(join(REPO_ROOT, entry), join(dir, entry), { recursive: true });
    }
    const lakeYml = join(dir, 'models', 'lake', 'lake.yml');
    writeFileSync(lakeYml, readFileSync(lakeYml, 'utf8').replace(/schema: spectrum\b/, `schema: ${run}_lake`));
    writeFileSync(join(dir, 'profiles.yml'), JSON.stringify({ user_behavior: { target: 'snowflake', outputs: { snowflake: output() } } }, null, 1));
    const factory = adapterFactory('snowflake')!;
    adapter = factory.create(factory.outputSchema.parse(output()), { projectDir: dir, threads: 2 });
    first = tsql(['build', '--ds', DS]);
    second = tsql(['build', '--ds', DS]);
  }, 1_800_000);

  afterAll(async () => {
    if (!adapter) return;
    try {
      await adapter.withConnection(async (c) => {
        const q = (name: string) => adapter.dialect.quoteIdentifier(name);
        for (const s of [run, `${run}_lake`, `${run}_tsql_test__audit`]) await c.execute(`drop schema if exists ${q(env.SNOWFLAKE_TEST_DATABASE!)}.${q(s)} cascade`);
      });
    } finally {
      await adapter.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);

  it('builds every node', () => {
    expect(first.code, first.stdout + first.stderr).toBe(0);
  });

  it('builds the same day again to the same result', async () => {
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const rows = await adapter.withConnection((c) =>
      c.query(`select count(*) as n, count(distinct customerid) as customers from ${adapter.dialect.renderRelation({ database: env.SNOWFLAKE_TEST_DATABASE, schema: run, identifier: 'user_behavior_metric' })} where insert_date = '${DS}'`),
    );
    expect(Number(rows[0].n)).toBeGreaterThan(0);
    expect(Number(rows[0].n)).toBe(Number(rows[0].customers));
  });
});
