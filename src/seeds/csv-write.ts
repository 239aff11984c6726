/** Seed values as text: bound parameters, and CSV for engines that load it (Postgres COPY FROM STDIN, Snowflake PUT + COPY INTO). */

/** A value as the text the server casts to the column's type; null stays null. */
export function valueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v);
}

/** A value as one CSV field for COPY … (FORMAT csv): NULL is an unquoted empty field, every value is quoted (so '' stays an empty string). */
export function csvField(v: unknown): string {
  const s = valueText(v);
  return s === null ? '' : `"${s.replace(/"/g, '""')}"`;
}

/** CSV text in chunks of about `chunkSize` characters. */
export function* csvChunks(rows: unknown[][], width: number, chunkSize = 1 << 16): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += csvLine(row, width);
    if (chunk.length >= chunkSize) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** CSV text of batches of rows as they come (a seed read from its file), in chunks of about `chunkSize` characters. */
export async function* csvChunksOf(batches: AsyncIterable<unknown[][]>, width: number, chunkSize = 1 << 16): AsyncGenerator<string> {
  for await (const rows of batches) yield* csvChunks(rows, width, chunkSize);
}

function csvLine(row: unknown[], width: number): string {
  let line = '';
  for (let i = 0; i < width; i++) line += (i ? ',' : '') + csvField(row[i]);
  return line + '\n';
}
