/** Contracts and insert_overwrite on the Redshift stand-in (Data API, executing on PostgreSQL). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, TempProject } from '../helpers/project.js';
import { pgConnection, pgQuery } from '../helpers/pg-server.js';
import { startDataApiStandin, type DataApiStandin } from '../redshift-standin/data-api-server.js';

const AWS_ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_REGION: 'us-east-1' };
let s3Root = '';
let api: DataApiStandin;
let database = '';
const projects: TempProject[] = [];

beforeAll(async () => {
  s3Root = mkdtempSync(join(tmpdir(), 'tsql-rsc-'));
  database = `rsc_${Math.random().toString(36).slice(2, 10)}`;
  await pgQuery(`create database "${database}"`);
  api = await startDataApiStandin({ pg: { ...pgConnection(), database: 'postgres' }, s3Root });
});

afterAll(async () => {
  await api?.close();
  for (const p of projects) p.cleanup();
  rmSync(s3Root, { recursive: true, force: true });
  await pgQuery(`drop database if exists "${database}" with (force)`);
});

function rsProject(files: Record<string, string>) {
  const schema = `s_${Math.random().toString(36).slice(2, 8)}`;
  const profile = `shop:\n  target: dev\n  outputs:\n    dev:\n      type: redshift\n      method: data_api\n      endpoint: ${api.endpoint}\n      region: us-east-1\n      cluster_identifier: tsql-test\n      database: ${database}\n      db_user: tsql\n      schema: ${schema}\n      threads: 2\n`;
  const p = new TempProject(files, { profile });
  projects.push(p);
  return { p, tsql: (args: string[]) => runCliAsync(args, p.dir, AWS_ENV), rows: (sql: string) => pgQuery(sql.replaceAll('$s', `"${schema}"`), { ...pgConnection(), database }) };
}

const YAML = (extra = '') => `version: 2
models:
  - name: orders
    config:
      contract: {enforced: true}
    columns:
      - name: id
        data_type: int
        constraints:
          - type: not_null
          - type: primary_key
      - name: status
        data_type: varchar(10)
${extra}`;

describe('model contracts on the Redshift stand-in', () => {
  it('builds with the declared types, warns for the unenforced primary key, and fails a mistyped column keeping the rows', async () => {
    const t = rsProject({ 'models/orders.sql': `{{ config(materialized='table') }} select 1 as id, 'paid'::varchar(10) as status`, 'models/schema.yml': YAML() });
    const r = await t.tsql(['run']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/models\/schema\.yml:11: .*primary_key constraint on column 'id' is declared but not enforced by redshift/);
    expect((await t.tsql(['run'])).code).toBe(0);
    t.p.write({ 'models/orders.sql': `{{ config(materialized='table') }} select 'x'::text as id, 'paid'::varchar(10) as status` });
    const bad = await t.tsql(['run']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/\| id +\| text +\| int +\| data type mismatch +\|/);
    expect(await t.rows('select id, status from $s.orders')).toEqual([{ id: 1, status: 'paid' }]);
  });

  it('a check constraint cannot be declared on Redshift: exit 2', async () => {
    const t = rsProject({
      'models/orders.sql': `{{ config(materialized='table') }} select 1 as id, 'paid' as status`,
      'models/schema.yml': YAML(`    constraints:\n      - type: check\n        expression: "id > 0"\n`),
    });
    const r = await t.tsql(['run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("models/schema.yml:15: model 'orders': check constraint cannot be declared on redshift");
  });
});
