import type pg from 'pg';
import { PgSession } from '../postgres/connection.js';
import type { PostgresDialect } from '../postgres/dialect.js';
import { rowBatches, type SeedRows } from '../row-batches.js';
import type { Column, Relation } from '../types.js';
import { insertBatches, PG_LIMITS } from './seed-insert.js';

/**
 * `method: pg`: Redshift over the PostgreSQL protocol (port 5439), on the
 * Postgres adapter's pool and sessions. What Redshift's server does
 * differently: no COPY … FROM STDIN (seeds are multi-row INSERTs with bound
 * values instead) and no COPY … TO STDOUT (unloads are UNLOAD statements the
 * server runs, see capabilities.unload).
 */
export class RedshiftPgSession extends PgSession {
  constructor(client: pg.Client, dialect: PostgresDialect) {
    super(client, dialect);
  }

  override async loadRows(rel: Relation, columns: Column[], rows: SeedRows): Promise<number> {
    let loaded = 0;
    for await (const rowsRead of rowBatches(rows)) {
      for (const batch of insertBatches(this.dialect, rel, columns, rowsRead, 'positional', PG_LIMITS)) {
        await this.send(() => this.client.query({ text: batch.sql, values: batch.params as Array<string | null> }));
        loaded += batch.rows;
      }
    }
    return loaded;
  }

  override async unloadToFile(): Promise<number> {
    throw new Error('redshift unloads to S3 with UNLOAD (the server writes the files), not through the client');
  }
}
