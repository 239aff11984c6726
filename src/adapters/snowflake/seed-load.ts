import { open } from 'node:fs/promises';
import { withTempFile } from '../../lake/temp-file.js';
import { csvChunksOf, csvField, valueText } from '../../seeds/csv-write.js';
import type { Column } from '../types.js';

/**
 * Seeds on Snowflake. Small ones: INSERT … VALUES (?, …) with array binds
 * (one statement per batch, every value bound as text and cast by the
 * service). A batch stays well under the driver's stage-binding threshold
 * (CLIENT_STAGE_ARRAY_BINDING_THRESHOLD, 65,280 values), past which the driver
 * would upload the binds to a temporary stage itself. Large seeds go through
 * a file: PUT to the table stage, then COPY INTO (connection.ts).
 */
export const MAX_BINDS_PER_STATEMENT = 16_000;

/** Rows in batches of at most MAX_BINDS_PER_STATEMENT values, each value as text (null stays null). */
export function* insertBatches(rows: unknown[][], width: number): Generator<Array<Array<string | null>>> {
  const perBatch = Math.max(1, Math.floor(MAX_BINDS_PER_STATEMENT / Math.max(1, width)));
  for (let i = 0; i < rows.length; i += perBatch) {
    yield rows.slice(i, i + perBatch).map((row) => Array.from({ length: width }, (_, c) => valueText(row[c])));
  }
}

/**
 * Writes the rows, batch by batch as they come, to a private temporary CSV file
 * with a header line (memory stays bounded whatever the seed's size), runs `fn`
 * on it, and deletes it.
 */
export function withSeedCsv<T>(name: string, columns: Column[], batches: AsyncIterable<unknown[][]>, fn: (file: string) => Promise<T>): Promise<T> {
  return withTempFile(`${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.csv`, async (file) => {
    const out = await open(file, 'w', 0o600);
    try {
      await out.write(columns.map((c) => csvField(c.name)).join(',') + '\n');
      for await (const chunk of csvChunksOf(batches, columns.length, 1 << 20)) await out.write(chunk);
    } finally {
      await out.close();
    }
    return fn(file);
  });
}
