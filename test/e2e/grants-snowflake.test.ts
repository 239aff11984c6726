/**
 * grants and persist_docs on Snowflake, through the real CLI and snowflake-sdk
 * against the stand-in (test/snowflake-standin), which records GRANT/REVOKE per
 * relation and answers SHOW GRANTS with Snowflake's columns.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, TempProject, type CliResult } from '../helpers/project.js';
import { uniqueSchema } from '../helpers/pg-server.js';
import { createDuckDBEngine } from '../snowflake-standin/engine.js';
import { startSnowflakeStandin, type SnowflakeStandin } from '../snowflake-standin/server.js';
import type { Engine } from '../snowflake-standin/engine-types.js';
import { sfClient, type SfClient, standinProfile } from '../helpers/snowflake.js';

const PASSWORD_ENV = 'TSQL_TEST_SF_PASSWORD';
const PASSWORD = 'sf-Secret-7g2q';
const DATABASE = 'TSQL_TEST';
let root = '';
let engine: Engine;
let standin: SnowflakeStandin;
let client: SfClient;
const projects: TempProject[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tsql-sf-grants-'));
  mkdirSync(join(root, 'lake'));
  engine = await createDuckDBEngine({ directory: join(root, 'engine'), stages: { LAKE_STAGE: join(root, 'lake') } });
  standin = await startSnowflakeStandin({ engine, users: { tsql: PASSWORD } });
  client = await sfClient(standin, { user: 'tsql', password: PASSWORD, database: DATABASE });
});

afterAll(async () => {
  await client?.close();
  await standin?.close();
  await engine?.close();
  for (const p of projects) p.cleanup();
  rmSync(root, { recursive: true, force: true });
});

function sfProject(files: Record<string, string>) {
  const schema = uniqueSchema('sfg');
  const profile = standinProfile(standin, { database: DATABASE, schema, passwordEnv: PASSWORD_ENV, lake: 'LAKE_STAGE' });
  const p = new TempProject(files, { profile });
  projects.push(p);
  return { p, name: schema.toUpperCase(), tsql: (args: string[]): Promise<CliResult> => runCliAsync(args, p.dir, { [PASSWORD_ENV]: PASSWORD }) };
}

function ok(r: CliResult): CliResult {
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r;
}

describe('grants on Snowflake (stand-in)', () => {
  it('grants each role, reads SHOW GRANTS on a kept relation (incremental, copy_grants) and revokes what the config dropped', async () => {
    const tag = randomBytes(3).toString('hex');
    const [reporter, bi, audit] = ['reporter', 'bi', 'audit'].map((r) => `${r}_${tag}`);
    for (const r of [reporter, bi, audit]) await client.query(`create role ${r}`);
    const sp = sfProject({
      'models/t.sql': `{{ config(materialized='table', grants={'select': ['${reporter}', '${bi}']}) }}\nselect 1 as id`,
      'models/v.sql': `{{ config(materialized='view', copy_grants=true, grants={'select': ['${reporter}']}) }}\nselect * from {{ ref('t') }}`,
      'models/inc.sql': `{{ config(materialized='incremental', unique_key='id', grants={'select': ['${bi}']}) }}\nselect 1 as id`,
      'seeds/s.csv': 'id\n1\n',
      'seeds/schema.yml': `seeds:\n  - name: s\n    config:\n      grants:\n        select: ['${reporter}']\n`,
    });
    const grantees = async (kind: 'table' | 'view', rel: string) => {
      const rows = await client.query(`show grants on ${kind} ${DATABASE}."${sp.name}"."${rel.toUpperCase()}"`);
      return rows.filter((r) => r.privilege === 'SELECT').map((r) => String(r.grantee_name).toLowerCase()).sort();
    };
    ok(await sp.tsql(['build']));
    expect(await grantees('table', 't')).toEqual([bi, reporter].sort());
    expect(await grantees('view', 'v')).toEqual([reporter]);
    expect(await grantees('table', 'inc')).toEqual([bi]);
    expect(await grantees('table', 's')).toEqual([reporter]);

    // by hand, outside the config: revoked on the next run of the kept incremental table
    await client.query(`grant select on table ${DATABASE}."${sp.name}"."INC" to role ${audit}`);
    sp.p.write({
      'models/t.sql': `{{ config(materialized='table', grants={'select': ['${bi}']}) }}\nselect 1 as id`,
      'models/v.sql': `{{ config(materialized='view', copy_grants=true, grants={'select': ['${bi}']}) }}\nselect * from {{ ref('t') }}`,
      'models/inc.sql': `{{ config(materialized='incremental', unique_key='id', grants={'select': ['${reporter}']}) }}\nselect 1 as id`,
    });
    ok(await sp.tsql(['build']));
    expect(await grantees('table', 't')).toEqual([bi]);
    expect(await grantees('view', 'v')).toEqual([bi]);
    expect(await grantees('table', 'inc')).toEqual([reporter]);
  });

  it('persist_docs: comments on the table, its columns, a view and its columns', async () => {
    const sp = sfProject({
      'tsql_project.yml': 'name: shop\nprofile: shop\nmodels:\n  +persist_docs: {relation: true, columns: true}\n',
      'models/t.sql': `{{ config(materialized='table') }}\nselect 1 as id`,
      'models/v.sql': `select * from {{ ref('t') }}`,
      'models/schema.yml': `models:\n  - name: t\n    description: "the shop's \\\\ table"\n    columns:\n      - name: id\n        description: "t's id"\n  - name: v\n    description: a view\n    columns:\n      - name: id\n        description: v id\n`,
    });
    ok(await sp.tsql(['build']));
    const tables = await client.query(`show tables like 'T' in schema ${DATABASE}."${sp.name}"`);
    expect(tables[0].comment).toBe("the shop's \\ table");
    const views = await client.query(`show views like 'V' in schema ${DATABASE}."${sp.name}"`);
    expect(views[0].comment).toBe('a view');
    const tcols = await client.query(`describe table ${DATABASE}."${sp.name}"."T"`);
    expect(tcols.find((c) => c.name === 'ID')?.comment).toBe("t's id");
    const vcols = await client.query(`describe view ${DATABASE}."${sp.name}"."V"`);
    expect(vcols.find((c) => c.name === 'ID')?.comment).toBe('v id');
  });
});
