/**
 * Seeds read in pieces: the CSV reader gives the same records, line numbers and
 * errors whatever the pieces' boundaries; a file is sampled before a run and
 * streamed while it loads; a value past the sample that does not fit its
 * column's type is an error naming its line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { CsvReader, parseCsv } from '../../src/seeds/csv.js';
import { CSV_PIECE_BYTES, readCsvBatches, readCsvSample } from '../../src/seeds/csv-file.js';
import { inferColumnTypes, SeedRowChecker } from '../../src/seeds/infer-types.js';
import { SAMPLE_NOTE, seedRowBatches } from '../../src/seeds/seed-source.js';
import { userError } from '../helpers/assert.js';

const FILE = 'seeds/s.csv';
const dir = mkdtempSync(join(tmpdir(), 'tsql-seed-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Parses `text` given in pieces of `size` characters: records with their lines, or the error. */
function inPieces(text: string, size: number): { rows: unknown[]; error?: string } {
  const reader = new CsvReader(FILE);
  const rows: unknown[] = [];
  try {
    for (let i = 0; i < text.length; i += size) reader.push(text.slice(i, i + size), false, (f, line) => rows.push([line, ...f]));
    reader.push('', true, (f, line) => rows.push([line, ...f]));
  } catch (e) {
    return { rows, error: (e as UserError).format() + '|' + ((e as UserError).excerpt ?? '') };
  }
  return { rows };
}

function whole(text: string): { rows: unknown[]; error?: string } {
  return inPieces(text, text.length + 1);
}

const TEXTS = [
  'id,name\n1,alice\n2,bob\n',
  'a,b\n1,2',
  '\uFEFFa,b\r\n1,2\r\n"x\r\ny",3\r\n4,5\r\n',
  '\na,b\n\n1,2\n   \n\r\n3,4\n\n\n',
  'a,b,c\n"x,y","say ""hi""",plain\n"multi\nline\nvalue",,""\n',
  'a,b\n"x"  ,1\n"y"\t,2\n',
  'a,b\r1,2\r3,4\r',
  // errors: ragged after a quoted newline, unterminated quote, garbage after a quote
  'a,b,c\n1,"multi\nline",3\n4,5\n',
  'a,b\n1,2\n3,"open\nstill open\n',
  'a,b\n"x"y,1\n',
];

describe('CsvReader in pieces', () => {
  it('gives the same records, lines and errors for every piece size', () => {
    for (const text of TEXTS) {
      const expected = whole(text);
      for (let size = 1; size <= text.length; size++) {
        expect(inPieces(text, size), `${JSON.stringify(text)} in pieces of ${size}`).toEqual(expected);
      }
    }
  });

  it('agrees with parseCsv', () => {
    const t = parseCsv(TEXTS[4], { file: FILE });
    expect(whole(TEXTS[4]).rows).toEqual(t.rows.map((r, i) => [t.rowLines[i], ...r]));
  });

  it('keeps only the unfinished record between pieces', () => {
    const reader = new CsvReader(FILE);
    const rows: unknown[] = [];
    reader.push('a,b\n1,"long\nquoted', false, (f) => rows.push(f));
    expect(rows).toEqual([]);
    reader.push(' value"\n3,4\n', false, (f) => rows.push(f));
    expect(rows).toEqual([
      ['1', 'long\nquoted value'],
      ['3', '4'],
    ]);
  });
});

describe('seed files read in pieces', () => {
  /** A file of `rows` rows (with quoted newlines and multibyte text) spanning many pieces. */
  function bigFile(name: string, rows: number, line = (i: number) => `${i},"ünïcode, ${'é'.repeat(i % 7)}\nsecond line",${i % 3 === 0 ? '' : i * 2}\n`): string {
    const parts = ['id,note,n\n'];
    for (let i = 1; i <= rows; i++) parts.push(line(i));
    const file = join(dir, name);
    writeFileSync(file, parts.join(''));
    return file;
  }

  it('reads every record with its line, across piece boundaries and split characters', async () => {
    const file = bigFile('big.csv', 20_000);
    const rows: (string | null)[][] = [];
    const lines: number[] = [];
    for await (const b of readCsvBatches(file, FILE, { header: ['id', 'note', 'n'] })) {
      rows.push(...b.rows);
      lines.push(...b.lines);
    }
    expect(rows.length).toBe(20_000);
    expect(rows[19_999]).toEqual(['20000', `ünïcode, ${'é'.repeat(20_000 % 7)}\nsecond line`, '40000']);
    expect(rows[2]).toEqual(['3', 'ünïcode, ééé\nsecond line', null]);
    expect(lines[0]).toBe(2);
    expect(lines[19_999]).toBe(2 + 2 * 19_999);
  });

  it('samples the start of a big file and says it is not the whole', () => {
    const file = bigFile('sample.csv', 20_000);
    const sample = readCsvSample(file, FILE, { maxBytes: 3 * CSV_PIECE_BYTES });
    expect(sample.complete).toBe(false);
    expect(sample.header).toEqual(['id', 'note', 'n']);
    expect(sample.rows.length).toBeGreaterThan(100);
    expect(sample.rows.length).toBeLessThan(20_000);
    const small = readCsvSample(bigFile('small.csv', 10), FILE, { maxBytes: 1 << 20 });
    expect(small.complete).toBe(true);
    expect(small.rows.length).toBe(10);
  });

  it('names the byte offset of invalid UTF-8 or a NUL byte in a later piece', async () => {
    const file = join(dir, 'bad.csv');
    const head = Buffer.from('a,b\n' + '1,xyz\n'.repeat(20_000));
    writeFileSync(file, Buffer.concat([head, Buffer.from([0x31, 0x2c, 0xff, 0x0a])]));
    await expect(drain(file, ['a', 'b'])).rejects.toThrow(`not valid UTF-8: byte 0xff at byte offset ${head.length + 2}`);
    writeFileSync(file, Buffer.concat([head, Buffer.from([0x31, 0x2c, 0x00, 0x0a])]));
    await expect(drain(file, ['a', 'b'])).rejects.toThrow(`binary file, not text (a NUL byte at byte offset ${head.length + 2})`);
  });

  it('refuses a file whose header changed since it was typed', async () => {
    const file = bigFile('changed.csv', 5);
    await expect(drain(file, ['id', 'note', 'other'])).rejects.toThrow(/the header changed while the run was starting/);
  });

  it('checks every row past the sample against the sampled types, naming the line', async () => {
    // integers in the sample, a word far past it
    const file = bigFile('misfit.csv', 50_000, (i) => `${i},note,${i === 45_000 ? 'many' : i}\n`);
    const sample = readCsvSample(file, FILE, { maxBytes: CSV_PIECE_BYTES });
    const types = inferColumnTypes(sample, { sampled: true });
    expect(types.map((t) => t.type)).toEqual(['bigint', 'varchar', 'bigint']);
    let loaded = 0;
    const err = await (async () => {
      try {
        for await (const b of seedRowBatches({ absPath: file, relPath: FILE, header: sample.header, types, size: sample.size }, (n) => (loaded = n))) void b;
      } catch (e) {
        return e as UserError;
      }
      throw new Error('expected an error');
    })();
    expect(err).toBeInstanceOf(UserError);
    expect(err.format()).toBe(`${FILE}:45001: cannot convert value "many" in column "n" to bigint (${SAMPLE_NOTE}; set column_types for "n" (e.g. varchar), or change the value)`);
    expect(loaded).toBeLessThan(45_000);
  });
});

describe('types from a sample', () => {
  it('widens integers to bigint and decimals to precision 38, keeping the scale', () => {
    const t = parseCsv('i,d,s\n1,1.50,x\n2,22.25,y\n', { file: FILE });
    expect(inferColumnTypes(t)).toEqual([
      { name: 'i', type: 'integer' },
      { name: 'd', type: 'decimal', precision: 4, scale: 2 },
      { name: 's', type: 'varchar' },
    ]);
    expect(inferColumnTypes(t, { sampled: true })).toEqual([
      { name: 'i', type: 'bigint' },
      { name: 'd', type: 'decimal', precision: 38, scale: 2 },
      { name: 's', type: 'varchar' },
    ]);
  });

  it('refuses a decimal the column cannot hold exactly instead of letting the engine round it', () => {
    const checker = new SeedRowChecker(FILE, [{ name: 'd', type: 'decimal', precision: 38, scale: 2 }], SAMPLE_NOTE);
    expect(checker.row(['12345678901234567890.25'], 9)).toEqual(['12345678901234567890.25']);
    expect(checker.row([' +0012.5 '], 9)).toEqual(['12.5']);
    const err = userError(() => checker.row(['1.125'], 9));
    expect(err.format()).toMatch(/^seeds\/s\.csv:9: cannot convert value "1\.125" in column "d" to decimal\(38,2\)/);
  });

  it('keeps canonical values as they are and normalises the rest', () => {
    const checker = new SeedRowChecker(FILE, [
      { name: 'i', type: 'integer' },
      { name: 'b', type: 'bigint' },
      { name: 'ts', type: 'timestamp' },
      { name: 'd', type: 'date' },
    ]);
    const raw = ['-42', '9223372036854775807', '2024-02-29 23:59:59', '2024-02-29'];
    const out = checker.row(raw, 2);
    expect(out).toEqual(raw);
    out.forEach((v, i) => expect(v).toBe(raw[i]));
    expect(checker.row(['+007', '-0', '2024-01-01T10:00:00+02:00', ' 2024-01-01 '], 3)).toEqual(['7', '0', '2024-01-01 08:00:00', '2024-01-01']);
    expect(userError(() => checker.row(['2147483648', '1', '2024-01-01', '2024-01-01'], 4)).message).toMatch(/to integer/);
    expect(userError(() => checker.row(['1', '1', '2023-02-29 10:00:00', '2024-01-01'], 5)).message).toMatch(/to timestamp/);
    expect(userError(() => checker.row(['1', '1', '2024-01-01', '2024-02-30'], 6)).message).toMatch(/to date/);
  });
});

async function drain(file: string, header: string[]): Promise<number> {
  let n = 0;
  for await (const b of readCsvBatches(file, FILE, { header })) n += b.rows.length;
  return n;
}
