/**
 * grants on the Redshift stand-in, through both of its paths (`method: pg` over
 * the wire-protocol proxy, `method: data_api`): a user, a group (`group x`) and a
 * role (`role x`) granted after each build, read back from svv_relation_privileges,
 * and what the config no longer lists revoked on a relation kept in place, a grant
 * made by hand included. The principals are made with Redshift's own statements
 * (CREATE USER / GROUP / ROLE) through the stand-in.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, TempProject, type CliResult } from '../helpers/project.js';
import { pgConnection, pgQuery } from '../helpers/pg-server.js';
import { startDataApiStandin, type DataApiStandin } from '../redshift-standin/data-api-server.js';
import { startPgProxy, type PgProxy } from '../redshift-standin/pg-proxy.js';

const AWS_ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_REGION: 'us-east-1' };
const tag = randomBytes(3).toString('hex');
const USER = `tsql_${tag}_reporter`;
const OTHER = `tsql_${tag}_other`;
const GROUP = `tsql_${tag}_bi`;
const ROLE = `tsql_${tag}_analyst`;
const database = `rsg_${tag}`;
const projects: TempProject[] = [];
let root = '';
let proxy: PgProxy;
let api: DataApiStandin;

/** Redshift SQL through the stand-in's pg proxy. */
async function redshift(sql: string): Promise<void> {
  const c = pgConnection();
  const client = new pg.Client({ host: proxy.host, port: proxy.port, user: c.user, password: c.password, database });
  await client.connect();
  try {
    for (const s of sql.split(';').filter((x) => x.trim())) await client.query(s);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tsql-rsg-'));
  await pgQuery(`create database "${database}"`);
  const pgInfo = { ...pgConnection(), database: 'postgres' };
  proxy = await startPgProxy({ pg: pgInfo, s3Root: root });
  api = await startDataApiStandin({ pg: pgInfo, s3Root: root });
  await redshift(`create user ${USER} password disable; create user ${OTHER} password disable; create group ${GROUP}; create role ${ROLE}`);
});

afterAll(async () => {
  await api?.close();
  await proxy?.close();
  for (const p of projects) p.cleanup();
  rmSync(root, { recursive: true, force: true });
  await pgQuery(`drop database if exists "${database}" with (force)`);
  await pgQuery([USER, OTHER, `group:${GROUP}`, `role:${ROLE}`].map((r) => `drop role if exists "${r}"`).join(';\n'));
});

function project(method: 'pg' | 'data_api', files: Record<string, string>) {
  const schema = `s_${randomBytes(3).toString('hex')}`;
  const c = pgConnection();
  const output =
    method === 'pg'
      ? `      method: pg\n      host: ${proxy.host}\n      port: ${proxy.port}\n      user: ${c.user}\n      password: "{{ env_var('TSQL_TEST_PG_PASSWORD') }}"\n      dbname: ${database}\n      sslmode: disable\n`
      : `      method: data_api\n      endpoint: ${api.endpoint}\n      region: us-east-1\n      cluster_identifier: tsql-test\n      database: ${database}\n      db_user: tsql\n`;
  const p = new TempProject(files, { profile: `shop:\n  target: dev\n  outputs:\n    dev:\n      type: redshift\n${output}      schema: ${schema}\n      threads: 2\n` });
  projects.push(p);
  return { p, schema, tsql: (args: string[]) => runCliAsync(args, p.dir, { ...AWS_ENV, TSQL_TEST_PG_PASSWORD: c.password }) };
}

/** Who holds SELECT on each relation of the schema, as svv_relation_privileges shows it: `user x`, `group x`, `role x`. */
async function privileges(schema: string): Promise<Record<string, string[]>> {
  const rows = await pgQuery(
    `select relation_name, identity_type || ' ' || identity_name as who from standin_catalog.svv_relation_privileges where namespace_name = '${schema}' and privilege_type = 'SELECT' order by 1, 2`,
    { ...pgConnection(), database },
  );
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[String(r.relation_name)] ??= []).push(String(r.who));
  return out;
}

function ok(r: CliResult): CliResult {
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r;
}

for (const method of ['pg', 'data_api'] as const) {
  describe(`grants on the Redshift stand-in (method: ${method})`, () => {
    it('grants to a user, a group and a role; revokes what the config drops and what was granted by hand', async () => {
      const t = project(method, {
        'tsql_project.yml': `name: shop\nprofile: shop\nseeds:\n  shop:\n    +grants:\n      select: ['group ${GROUP}']\n`,
        'models/t.sql': `{{ config(materialized='table', grants={'select': ['${USER}', 'group ${GROUP}', 'role ${ROLE}']}) }}\nselect 1 as id`,
        'models/v.sql': `{{ config(materialized='view', grants={'select': ['${USER}']}) }}\nselect * from {{ ref('t') }}`,
        'models/inc.sql': `{{ config(materialized='incremental', unique_key='id', grants={'select': ['group ${GROUP}', 'role ${ROLE}']}) }}\nselect 1 as id`,
        'seeds/s.csv': 'id\n1\n',
      });
      ok(await t.tsql(['build']));
      expect(await privileges(t.schema)).toEqual({
        inc: [`group ${GROUP}`, `role ${ROLE}`],
        s: [`group ${GROUP}`],
        t: [`group ${GROUP}`, `role ${ROLE}`, `user ${USER}`],
        v: [`user ${USER}`],
      });

      // a grant made by hand on the incremental model, and a config that drops the group: both revoked, the user granted
      await redshift(`grant select on table ${t.schema}.inc to ${OTHER}`);
      expect((await privileges(t.schema)).inc).toContain(`user ${OTHER}`);
      t.p.write({
        'models/t.sql': `{{ config(materialized='table', grants={'select': ['${USER}', 'group ${GROUP}']}) }}\nselect 1 as id`,
        'models/inc.sql': `{{ config(materialized='incremental', unique_key='id', grants={'select': ['${USER}', 'role ${ROLE}', 'public']}) }}\nselect 1 as id`,
      });
      ok(await t.tsql(['build']));
      expect(await privileges(t.schema)).toEqual({
        inc: ['public public', `role ${ROLE}`, `user ${USER}`],
        s: [`group ${GROUP}`],
        t: [`group ${GROUP}`, `user ${USER}`],
        v: [`user ${USER}`],
      });
      const runSql = readFileSync(join(t.p.dir, 'target/run/shop/models/inc.sql'), 'utf8');
      expect(runSql).toContain('from svv_relation_privileges');
      expect(runSql).toMatch(new RegExp(`revoke select on table "${t.schema}"\\."inc" from (group "${GROUP}", "${OTHER}"|"${OTHER}", group "${GROUP}")`));
      expect(runSql).toMatch(new RegExp(`grant select on table "${t.schema}"\\."inc" to ("${USER}", public|public, "${USER}")`));

      // nothing left to change (PUBLIC included): a third build reads the grants and sends no revoke or grant for the kept table
      ok(await t.tsql(['build', '--select', 'inc']));
      expect(readFileSync(join(t.p.dir, 'target/run/shop/models/inc.sql'), 'utf8')).not.toMatch(/\b(revoke|grant) select/);
    });
  });
}
