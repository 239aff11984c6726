/**
 * Seed files read in pieces: the first part synchronously before a run (to type
 * the columns), the whole file as a stream of row batches while the seed loads.
 * Memory stays bounded by the piece size whatever the file's size. Invalid UTF-8
 * and NUL bytes are errors naming the file and the byte offset, as for every
 * project file (project/text-file.ts).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { invalidUtf8Offset } from '../project/text-file.js';
import { CsvReader } from './csv.js';

/**
 * Bytes read at a time. Small on purpose: a piece's rows are garbage by the time
 * the next is read, and V8 frees short-lived objects cheaply while they fit its
 * young generation; 1 MiB pieces made reading twice as slow and three times as
 * big in memory (bench/README.md).
 */
export const CSV_PIECE_BYTES = 64 << 10;

export interface CsvBatch {
  rows: (string | null)[][];
  /** the physical line each row starts on */
  lines: number[];
}

export interface CsvSample extends CsvBatch {
  header: string[];
  /** the sample is the whole file */
  complete: boolean;
  /** the file's size in bytes */
  size: number;
}

/** Decodes a file's bytes piece by piece, refusing NUL bytes and invalid UTF-8 with their offset. */
class PieceDecoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private offset = 0;
  /** the last bytes of the previous piece (an unfinished character may start there) */
  private tail: Uint8Array = new Uint8Array(0);

  constructor(private readonly relPath: string) {}

  decode(bytes: Uint8Array, final: boolean): string {
    const nul = bytes.indexOf(0);
    if (nul >= 0) throw new UserError(`binary file, not text (a NUL byte at byte offset ${this.offset + nul})`, { file: this.relPath });
    let text: string;
    try {
      text = this.decoder.decode(bytes, { stream: !final });
    } catch {
      throw this.invalid(bytes);
    }
    this.offset += bytes.length;
    this.tail = bytes.subarray(Math.max(0, bytes.length - 3));
    return text;
  }

  private invalid(bytes: Uint8Array): UserError {
    // the bad sequence may have begun in the previous piece: look from its last character's start
    let k = 0;
    while (k < this.tail.length && (this.tail[k] & 0xc0) === 0x80) k++;
    const probe = Buffer.concat([this.tail.subarray(k), bytes]);
    const start = this.offset - (this.tail.length - k);
    const at = Math.max(0, invalidUtf8Offset(probe));
    const byte = probe[at] ?? 0;
    return new UserError(`not valid UTF-8: byte 0x${byte.toString(16).padStart(2, '0')} at byte offset ${start + at}`, { file: this.relPath }, { hint: 'save the file as UTF-8' });
  }
}

/**
 * The header and the records in the first `maxBytes` of a CSV file (at least
 * the header's), read synchronously. `complete` when that is the whole file: then
 * every record has been read and checked.
 */
export function readCsvSample(absPath: string, relPath: string, opts: { delimiter?: string; maxBytes: number }): CsvSample {
  const reader = new CsvReader(relPath, opts.delimiter);
  const decoder = new PieceDecoder(relPath);
  const rows: (string | null)[][] = [];
  const lines: number[] = [];
  const onRow = (fields: (string | null)[], line: number) => {
    rows.push(fields);
    lines.push(line);
  };
  const fd = openSync(absPath, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(Math.min(CSV_PIECE_BYTES, Math.max(1, opts.maxBytes)));
    let read = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, read);
      read += n;
      const final = n === 0 || read >= size;
      reader.push(decoder.decode(buf.subarray(0, n), final), final, onRow);
      if (final) return { header: reader.header!, rows, lines, complete: true, size };
      if (read >= opts.maxBytes && reader.header) return { header: reader.header, rows, lines, complete: false, size };
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Every record of a CSV file, in batches (one per piece read), with the header
 * first checked against `header` (the file must not have changed since its
 * columns were typed). `beforePiece` runs before each read (Ctrl-C stops there).
 */
export async function* readCsvBatches(absPath: string, relPath: string, opts: { delimiter?: string; header: string[]; beforePiece?: () => void }): AsyncGenerator<CsvBatch> {
  const reader = new CsvReader(relPath, opts.delimiter);
  const decoder = new PieceDecoder(relPath);
  const fh = await open(absPath, 'r');
  try {
    const buf = Buffer.allocUnsafe(CSV_PIECE_BYTES);
    let checked = false;
    for (;;) {
      opts.beforePiece?.();
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      const final = bytesRead === 0;
      const batch: CsvBatch = { rows: [], lines: [] };
      reader.push(decoder.decode(buf.subarray(0, bytesRead), final), final, (fields, line) => {
        batch.rows.push(fields);
        batch.lines.push(line);
      });
      if (!checked && reader.header) {
        checked = true;
        if (reader.header.join('\u0000') !== opts.header.join('\u0000')) {
          throw new UserError(`the header changed while the run was starting (it now names ${reader.header.join(', ')})`, { file: relPath }, { hint: 'run again' });
        }
      }
      if (batch.rows.length) yield batch;
      if (final) return;
    }
  } finally {
    await fh.close();
  }
}
