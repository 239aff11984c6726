/** The real snowflake-sdk as a test's own client of the Snowflake stand-in (to look at what tsql built). */
import type { Connection } from 'snowflake-sdk';
import { isFoldedName } from '../../src/adapters/snowflake/dialect.js';

export interface SfClient {
  /** Rows with lower-case keys for names Snowflake folded to upper case. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function sfClient(standin: { accessUrl: string }, o: { user: string; password: string; database?: string; schema?: string }): Promise<SfClient> {
  const m = await import('snowflake-sdk');
  const sdk = (m as unknown as { default?: typeof m }).default ?? m;
  sdk.configure({ logLevel: 'OFF' } as Parameters<typeof sdk.configure>[0]);
  const conn: Connection = sdk.createConnection({ accessUrl: standin.accessUrl, account: 'tsqltest', username: o.user, password: o.password, database: o.database, schema: o.schema });
  await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
  const key = (k: string) => (isFoldedName(k) ? k.toLowerCase() : k);
  return {
    query: (sqlText) =>
      new Promise((resolve, reject) =>
        conn.execute({
          sqlText,
          complete: (err, _stmt, rows) => {
            if (err) reject(err);
            else resolve(((rows ?? []) as Record<string, unknown>[]).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [key(k), v]))));
          },
        }),
      ),
    close: () => new Promise<void>((resolve) => conn.destroy(() => resolve())),
  };
}

/**
 * A profiles.yml (profile `shop`, target `dev`) for the Snowflake stand-in, the password read
 * from `passwordEnv`; with `lake`, the lake root is a folder of that stage.
 */
export function standinProfile(standin: { accessUrl: string }, o: { database: string; schema: string; passwordEnv: string; threads?: number; lake?: string }): string {
  const url = new URL(standin.accessUrl);
  const lines = [
    'shop:',
    '  target: dev',
    '  outputs:',
    '    dev:',
    '      type: snowflake',
    '      account: tsqltest',
    '      user: tsql',
    `      password: "{{ env_var('${o.passwordEnv}') }}"`,
    '      role: transformer',
    '      warehouse: test_wh',
    `      database: ${o.database.toLowerCase()}`,
    `      schema: ${o.schema}`,
    `      threads: ${o.threads ?? 2}`,
    `      host: ${url.hostname}`,
    `      port: ${url.port}`,
    '      protocol: http',
  ];
  if (o.lake) lines.push(`      lake_root: "@${o.lake}/${o.schema}"`);
  return lines.join('\n') + '\n';
}
