/** A seed's rows for Connection.loadRows: all at once, or batches as the file is read (seeds/seed-source.ts). */
export type SeedRows = unknown[][] | AsyncIterable<unknown[][]>;

/** The rows in batches of at most `size` (rows given at once), or the batches as they come. */
export async function* rowBatches(rows: SeedRows, size = 10_000): AsyncGenerator<unknown[][]> {
  if (!Array.isArray(rows)) {
    yield* rows;
    return;
  }
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}
