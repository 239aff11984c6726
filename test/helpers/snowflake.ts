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
