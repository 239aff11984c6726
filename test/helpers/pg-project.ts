/**
 * What an e2e test on PostgreSQL needs around a TempProject: a profile for the
 * test server (the password from the environment, never in the file), the
 * environment that holds it, and a schema per project, dropped after each test.
 */
import { afterEach } from 'vitest';
import { pgConnection, pgQuery, uniqueSchema } from './pg-server.js';

export const PG_PASSWORD_ENV = 'TSQL_TEST_PG_PASSWORD';

/** profiles.yml (profile `shop`, target `dev`) on the test server, in `schema`. */
export function pgProfile(schema: string): string {
  const c = pgConnection();
  return `shop:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: ${c.host}\n      port: ${c.port}\n      user: ${c.user}\n      password: "{{ env_var('${PG_PASSWORD_ENV}') }}"\n      dbname: ${c.database}\n      schema: ${schema}\n      threads: 2\n`;
}

/** The environment the CLI needs for pgProfile's password. */
export function pgEnv(): Record<string, string> {
  return { [PG_PASSWORD_ENV]: pgConnection().password };
}

/** A function giving fresh schema names for a test file; every schema it gave is dropped after each test. */
export function usePgSchemas(prefix: string): () => string {
  const made: string[] = [];
  afterEach(async () => {
    const drop = made.splice(0);
    if (drop.length) await pgQuery(drop.map((s) => `drop schema if exists "${s}" cascade`).join(';\n'));
  });
  return () => {
    const s = uniqueSchema(prefix);
    made.push(s);
    return s;
  };
}
