import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo, type CopyToStreamQuery } from 'pg-copy-streams';
import { csvChunks } from '../../seeds/csv-write.js';

/**
 * COPY in both directions over one client: seeds stream in as CSV
 * (COPY … FROM STDIN), client-side unloads stream out into a local file
 * (COPY (query) TO STDOUT).
 */

/** Streams rows into `copy <target> (<columns>) from stdin with (format csv)`; returns the server's row count. */
export async function copyRowsIn(client: pg.Client, statement: string, rows: unknown[][], width: number): Promise<number> {
  const sink = client.query(copyFrom(statement));
  await pipeline(Readable.from(csvChunks(rows, width)), sink);
  return sink.rowCount;
}

/**
 * Streams a `copy (…) to stdout` statement's output into `file`; returns the
 * server's row count. The stream ends at CopyDone, and the count arrives with
 * the CommandComplete after it: wait for the statement to finish (ReadyForQuery,
 * or the connection ending) before reading it.
 */
export async function copyOutToFile(client: pg.Client, statement: string, file: string): Promise<number> {
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
    await pipeline(source, createWriteStream(file));
    await finished;
  } finally {
    client.removeListener('end', onEnd);
  }
  return source.rowCount;
}
