/**
 * Profiles of the example project (user_behavior) for the e2e tests that build it on the
 * Redshift stand-in: the warehouse output (Data API or the pg driver through the proxy) and
 * the shop's PostgreSQL (`oltp`), whose unloads land in the stand-in's S3 folder.
 */
import { join } from 'node:path';
import { connectionLines, pgOutputLines, type PgConnectionInfo } from './pg-server.js';

/** The environment variable the profiles read the test server's password from. */
export const PASSWORD_ENV = 'TSQL_TEST_PG_PASSWORD';
/** The stand-in S3 bucket the example's lake is in (s3://tsql-lake/lake). */
export const LAKE_BUCKET = 'tsql-lake';

/** A postgres output's lines (indented under its name), with `extra` lines after them. */
export function pgOutput(c: PgConnectionInfo, dbname: string, extra = ''): string {
  return pgOutputLines(c, { schema: 'public', passwordEnv: PASSWORD_ENV, dbname, extra });
}

/** The shop's output: its unloads write where the stand-in keeps s3://tsql-lake/lake, the same lake seen from the shop's side. */
export function oltpOutput(c: PgConnectionInfo, dbname: string, s3Root: string): string {
  return pgOutput(c, dbname, `      lake_root: ${join(s3Root, LAKE_BUCKET, 'lake')}\n      allow_lake_outside_project: true\n`);
}

/** A Redshift output's connection lines through the pg driver and the stand-in's proxy. */
export function redshiftPgConnection(proxy: { host: string; port: number }, c: PgConnectionInfo, database: string): string {
  return `      method: pg
${connectionLines(proxy, c.user, database, PASSWORD_ENV)}      sslmode: disable
`;
}

/** A Redshift output's connection lines through the stand-in's Data API. */
export function redshiftDataApiConnection(endpoint: string, database: string): string {
  return `      method: data_api
      endpoint: ${endpoint}
      region: us-east-1
      cluster_identifier: tsql-test
      database: ${database}
      db_user: tsql
`;
}

/** The example's profile: Redshift (`connection`: one of the two above, `extra`: more lines of it) as the target, and the shop's `oltp` output. */
export function redshiftExampleProfile(connection: string, oltp: string, extra = ''): string {
  return `user_behavior:
  target: redshift
  outputs:
    redshift:
      type: redshift
${connection}      schema: main
      iam_role: arn:aws:iam::123456789012:role/tsql-spectrum
      lake_root: s3://${LAKE_BUCKET}/lake
      threads: 2
${extra}    oltp:
${oltp}`;
}
