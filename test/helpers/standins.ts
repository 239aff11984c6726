/**
 * The Redshift stand-in (Data API, executing on PostgreSQL, in a database of
 * its own) and the Snowflake stand-in (behind the real snowflake-sdk) for one
 * test file: started before its tests, stopped after them, with profiles for
 * projects on each and a way to read what tsql built there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { TempProject } from './project.js';
import { pgConnection, pgQuery, uniqueSchema } from './pg-server.js';
import { sfClient, type SfClient, standinProfile } from './snowflake.js';
import { startDataApiStandin, type DataApiStandin } from '../redshift-standin/data-api-server.js';
import { createDuckDBEngine } from '../snowflake-standin/engine.js';
import { startSnowflakeStandin, type SnowflakeStandin } from '../snowflake-standin/server.js';
import type { Engine } from '../snowflake-standin/engine-types.js';

export const AWS_ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_REGION: 'us-east-1' };
const SF_PASSWORD_ENV = 'TSQL_TEST_SF_PASSWORD';
const SF_PASSWORD = 'sf-Secret-7c2q';
const SF_DATABASE = 'TSQL_TEST';

/** A project on one stand-in: how to run the CLI there and read its schema. */
export interface StandinProject {
  p: TempProject;
  schema: string;
  /** the environment the CLI needs (credentials) */
  env: Record<string, string>;
  /** rows of a query on the warehouse */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** the project's schema as SQL (`"s"`, `TSQL_TEST."S"`) */
  schemaSql: string;
}

export interface Standins {
  redshift(files: Record<string, string>): StandinProject;
  snowflake(files: Record<string, string>): StandinProject;
}

export function useStandins(prefix: string): Standins {
  const projects: TempProject[] = [];
  let root = '';
  let database = '';
  let api: DataApiStandin;
  let engine: Engine;
  let sf: SnowflakeStandin;
  let client: SfClient;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), `tsql-${prefix}-`));
    database = `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
    await pgQuery(`create database "${database}"`);
    api = await startDataApiStandin({ pg: { ...pgConnection(), database: 'postgres' }, s3Root: join(root, 's3') });
    engine = await createDuckDBEngine({ directory: join(root, 'engine'), stages: {} });
    sf = await startSnowflakeStandin({ engine, users: { tsql: SF_PASSWORD } });
    client = await sfClient(sf, { user: 'tsql', password: SF_PASSWORD, database: SF_DATABASE });
  });

  afterAll(async () => {
    await client?.close();
    await sf?.close();
    await engine?.close();
    await api?.close();
    for (const p of projects) p.cleanup();
    rmSync(root, { recursive: true, force: true });
    await pgQuery(`drop database if exists "${database}" with (force)`);
  });

  const make = (files: Record<string, string>, profile: string) => {
    const p = new TempProject(files, { profile });
    projects.push(p);
    return p;
  };
  return {
    redshift: (files) => {
      const schema = `s_${Math.random().toString(36).slice(2, 8)}`;
      const profile = `shop:\n  target: dev\n  outputs:\n    dev:\n      type: redshift\n      method: data_api\n      endpoint: ${api.endpoint}\n      region: us-east-1\n      cluster_identifier: tsql-test\n      database: ${database}\n      db_user: tsql\n      schema: ${schema}\n      threads: 2\n`;
      return { p: make(files, profile), schema, env: AWS_ENV, query: (sql) => pgQuery(sql, { ...pgConnection(), database }), schemaSql: `"${schema}"` };
    },
    snowflake: (files) => {
      const schema = uniqueSchema(prefix);
      const profile = standinProfile(sf, { database: SF_DATABASE, schema, passwordEnv: SF_PASSWORD_ENV });
      return { p: make(files, profile), schema, env: { [SF_PASSWORD_ENV]: SF_PASSWORD }, query: (sql) => client.query(sql), schemaSql: `${SF_DATABASE}."${schema.toUpperCase()}"` };
    },
  };
}
