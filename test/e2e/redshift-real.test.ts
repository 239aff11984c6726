/**
 * Opt-in: the example pipeline end to end on a real Redshift cluster and S3.
 * Skipped unless these are set:
 *   method pg:       REDSHIFT_TEST_HOST, REDSHIFT_TEST_USER, REDSHIFT_TEST_PASSWORD, REDSHIFT_TEST_DATABASE (REDSHIFT_TEST_PORT)
 *   method data_api: REDSHIFT_TEST_CLUSTER or REDSHIFT_TEST_WORKGROUP, REDSHIFT_TEST_REGION, REDSHIFT_TEST_DATABASE
 *                    (REDSHIFT_TEST_DB_USER or REDSHIFT_TEST_SECRET_ARN; AWS credentials from the usual chain)
 *   both:            REDSHIFT_TEST_S3_ROOT (s3://bucket/prefix), REDSHIFT_TEST_IAM_ROLE (may read and write it, and use Glue)
 * Everything lands in fresh schemas (and a fresh Glue database) named tsql_e2e_<random>, dropped
 * afterwards; the unloaded files stay under REDSHIFT_TEST_S3_ROOT/tsql_e2e_<random>/.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterFactory } from '../../src/adapters/registry.js';
import type { Adapter } from '../../src/adapters/types.js';
import { REPO_ROOT, runCli, type CliResult } from '../helpers/project.js';

const env = process.env;
const viaPg = !!(env.REDSHIFT_TEST_HOST && env.REDSHIFT_TEST_USER && env.REDSHIFT_TEST_PASSWORD && env.REDSHIFT_TEST_DATABASE);
const viaApi = !!((env.REDSHIFT_TEST_CLUSTER || env.REDSHIFT_TEST_WORKGROUP) && env.REDSHIFT_TEST_REGION && env.REDSHIFT_TEST_DATABASE);
const enabled = (viaPg || viaApi) && !!env.REDSHIFT_TEST_S3_ROOT && !!env.REDSHIFT_TEST_IAM_ROLE;

const run = `tsql_e2e_${Math.random().toString(36).slice(2, 8)}`;
const DS = '2024-01-03';

/** The output block, from the environment (pg first when both are configured). */
function output(): Record<string, unknown> {
  const common = {
    type: 'redshift',
    database: env.REDSHIFT_TEST_DATABASE,
    schema: run,
    threads: 4,
    iam_role: env.REDSHIFT_TEST_IAM_ROLE,
    lake_root: `${env.REDSHIFT_TEST_S3_ROOT!.replace(/\/+$/, '')}/${run}`,
  };
  if (viaPg) {
    return { ...common, method: 'pg', host: env.REDSHIFT_TEST_HOST, port: Number(env.REDSHIFT_TEST_PORT ?? 5439), user: env.REDSHIFT_TEST_USER, password: env.REDSHIFT_TEST_PASSWORD, sslmode: 'require' };
  }
  const where = env.REDSHIFT_TEST_CLUSTER ? { cluster_identifier: env.REDSHIFT_TEST_CLUSTER } : { workgroup_name: env.REDSHIFT_TEST_WORKGROUP };
  const who = env.REDSHIFT_TEST_SECRET_ARN ? { secret_arn: env.REDSHIFT_TEST_SECRET_ARN } : env.REDSHIFT_TEST_DB_USER ? { db_user: env.REDSHIFT_TEST_DB_USER } : {};
  return { ...common, method: 'data_api', region: env.REDSHIFT_TEST_REGION, ...where, ...who };
}

describe.skipIf(!enabled)('the example pipeline on a real Redshift cluster', () => {
  let dir: string;
  let adapter: Adapter;
  const tsql = (args: string[]): CliResult => runCli(args, dir);
  let first: CliResult;
  let second: CliResult;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsql-redshift-'));
    for (const entry of ['tsql_project.yml', 'models', 'macros', 'seeds', 'tests']) {
      if (existsSync(join(REPO_ROOT, entry))) cpSync(join(REPO_ROOT, entry), join(dir, entry), { recursive: true });
    }
    // this run's own external schema (and Glue database)
    const lakeYml = join(dir, 'models', 'lake', 'lake.yml');
    writeFileSync(lakeYml, readFileSync(lakeYml, 'utf8').replace(/schema: spectrum\b/, `schema: ${run}_spectrum`));
    writeFileSync(join(dir, 'profiles.yml'), JSON.stringify({ user_behavior: { target: 'redshift', outputs: { redshift: output() } } }, null, 1));
    const factory = adapterFactory('redshift')!;
    adapter = factory.create(factory.outputSchema.parse(output()), { projectDir: dir, threads: 2 });
    first = tsql(['build', '--ds', DS]);
    second = tsql(['build', '--ds', DS]);
  }, 1_800_000);

  afterAll(async () => {
    if (!adapter) return;
    try {
      await adapter.withConnection(async (c) => {
        const schemas = await c.query(`select nspname from pg_namespace where nspname like '${run}%'`);
        for (const s of schemas) {
          const name = String(s.nspname);
          const external = name === `${run}_spectrum` ? ' drop external database' : '';
          await c.execute(`drop schema if exists ${adapter.dialect.quoteIdentifier(name)}${external} cascade`);
        }
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
      c.query(`select count(*) as n, count(distinct customerid) as customers from ${adapter.dialect.renderRelation({ schema: run, identifier: 'user_behavior_metric' })} where insert_date = '${DS}'`),
    );
    expect(Number(rows[0].n)).toBeGreaterThan(0);
    expect(Number(rows[0].n)).toBe(Number(rows[0].customers));
  });

  it('reads the unloaded day through Spectrum', async () => {
    const rows = await adapter.withConnection((c) => c.query(`select count(*) as n from "${run}_spectrum"."user_purchase_staging" where insert_date = '${DS}'`));
    expect(Number(rows[0].n)).toBeGreaterThan(0);
  });
});
