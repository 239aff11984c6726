import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo, type CopyToStreamQuery } from 'pg-copy-streams';
import { csvChunksOf } from '../../seeds/csv-write.js';
import { rowBatches, type SeedRows } from '../row-batches.js';

/**
 * COPY in both directions over one client: seeds stream in as CSV
 * (COPY … FROM STDIN), client-side unloads stream out into a local file
 * (COPY (query) TO STDOUT).
 */

/**
 * Streams rows into `copy <target> (<columns>) from stdin with (format csv)`,
 * batch by batch as they come (backpressure holds the reading of a seed file
 * while the server catches up); returns the server's row count. A failing batch
 * (a row that does not fit) ends the COPY with CopyFail: the server keeps nothing.
 */
export async function copyRowsIn(client: pg.Client, statement: string, rows: SeedRows, width: number): Promise<number> {
  const sink = client.query(copyFrom(statement));
  await pipeline(Readable.from(csvChunksOf(rowBatches(rows), width)), sink);
  return sink.rowCount;
}

/**
 * Streams a `copy (…) to stdout` statement's output into `file`; returns the
 * server's row count. The stream ends at CopyDone, and the count arrives with
 * the CommandComplete after it: wait for the statement to finish (ReadyForQuery,
 * or the connection ending) before reading it.
 */
export async function copyOutToFile(client: pg.Client, statement: string, file: string, onLines?: (lines: number) => void): Promise<number> {
  const source = client.query(copyTo(statement)) as CopyToStreamQuery & { handleReadyForQuery(): void };
  let onEnd = () => {};
  const finished = new Promise<void>((resolve) => {
    const ready = source.handleReadyForQuery.bind(source);
    source.handleReadyForQuery = () => {
      ready();
      resolve();
    };
    onEnd = resolve;
    client.once('end', onEnd);
  });
  try {
    if (onLines) await pipeline(source, csvLineCounter(onLines), createWriteStream(file));
    else await pipeline(source, createWriteStream(file));
    await finished;
  } finally {
    client.removeListener('end', onEnd);
  }
  return source.rowCount;
}

/**
 * Passes CSV through unchanged, telling how many lines (records) have gone by:
 * a line break inside a quoted field does not end one (a doubled quote toggles
 * twice, so the state stays right). Told at most once per chunk.
 */
function csvLineCounter(onLines: (lines: number) => void): Transform {
  let lines = 0;
  let quoted = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i];
        if (c === 34) quoted = !quoted;
        else if (c === 10 && !quoted) lines++;
      }
      onLines(lines);
      done(null, chunk);
    },
  });
}
