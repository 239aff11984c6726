/**
 * A seed's rows as the engines receive them: checked and converted to text
 * (SeedRowChecker), in batches, straight from the file. A seed that fitted in
 * its sample is already in memory; a bigger one is read again piece by piece
 * while it loads, so memory stays bounded whatever the file's size.
 */
import { throwIfInterrupted } from '../util/interrupt-state.js';
import { readCsvBatches } from './csv-file.js';
import { SeedRowChecker, type InferredColumn, type SeedRow } from './infer-types.js';

/** How much of a seed file is read before a run, to type its columns. */
export const SEED_SAMPLE_BYTES = 1 << 20;

/** Rows handed to an engine at a time (a seed read from memory). */
const BATCH_ROWS = 10_000;

export interface SeedSource {
  absPath: string;
  /** the file as the project names it, for errors */
  relPath: string;
  delimiter?: string;
  header: string[];
  /** the types the values are checked against (overridden columns as varchar: the engine casts them) */
  types: InferredColumn[];
  /** the whole file's rows, when it fitted in the sample */
  rows?: SeedRow[];
  /** the file's size in bytes */
  size: number;
}

/** Why a value past the sample may not fit the type the sample gave its column. */
export const SAMPLE_NOTE = `the column's type was inferred from the first ${SEED_SAMPLE_BYTES / (1 << 20)} MiB of the file`;

/**
 * The seed's rows in batches. `onRows` hears how many rows have been handed
 * over so far. Ctrl-C stops the reading between batches (InterruptedError).
 */
export async function* seedRowBatches(source: SeedSource, onRows?: (rows: number) => void): AsyncGenerator<SeedRow[]> {
  let done = 0;
  if (source.rows) {
    for (let i = 0; i < source.rows.length; i += BATCH_ROWS) {
      throwIfInterrupted();
      const batch = source.rows.slice(i, i + BATCH_ROWS);
      yield batch;
      onRows?.((done += batch.length));
    }
    return;
  }
  const checker = new SeedRowChecker(source.relPath, source.types, SAMPLE_NOTE);
  for await (const piece of readCsvBatches(source.absPath, source.relPath, { delimiter: source.delimiter, header: source.header, beforePiece: throwIfInterrupted })) {
    const batch: SeedRow[] = new Array(piece.rows.length);
    for (let i = 0; i < piece.rows.length; i++) batch[i] = checker.row(piece.rows[i], piece.lines[i]);
    yield batch;
    onRows?.((done += batch.length));
  }
}
