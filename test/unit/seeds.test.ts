import { describe, it, expect } from 'vitest';
import { userError } from '../helpers/assert.js';
import { parseCsv, type CsvTable } from '../../src/seeds/csv.js';
import { inferColumnTypes, convertRows, type InferredColumn } from '../../src/seeds/infer-types.js';

const FILE = 'seeds/test.csv';

function parse(text: string, delimiter?: string): CsvTable {
  return parseCsv(text, { file: FILE, delimiter });
}



/** Infers the type of a single column holding `values` (null = empty field). */
function inferOne(values: (string | null)[]): InferredColumn {
  const table: CsvTable = { header: ['c'], rows: values.map((v) => [v]), rowLines: values.map((_, i) => i + 2) };
  return inferColumnTypes(table)[0];
}

describe('parseCsv', () => {
  it('parses a simple file', () => {
    const t = parse('id,name\n1,alice\n2,bob\n');
    expect(t.header).toEqual(['id', 'name']);
    expect(t.rows).toEqual([
      ['1', 'alice'],
      ['2', 'bob'],
    ]);
    expect(t.rowLines).toEqual([2, 3]);
  });

  it('works without a trailing newline', () => {
    const t = parse('a,b\n1,2');
    expect(t.rows).toEqual([['1', '2']]);
  });

  it('handles quoted fields with embedded delimiters and escaped quotes', () => {
    const t = parse('a,b,c\n"x,y","say ""hi""",plain\n');
    expect(t.rows).toEqual([['x,y', 'say "hi"', 'plain']]);
  });

  it('keeps embedded newlines in quoted fields and tracks physical lines', () => {
    const t = parse('a,b\n"line1\nline2\nline3",x\n2,y\n');
    expect(t.rows[0]).toEqual(['line1\nline2\nline3', 'x']);
    expect(t.rows[1]).toEqual(['2', 'y']);
    expect(t.rowLines).toEqual([2, 5]);
  });

  it('reports the physical line of a ragged row after a multi-line quoted field', () => {
    const text = 'a,b,c\n1,"multi\nline\nvalue",3\n4,5,6\n7,8,9,10\n';
    const err = userError(() => parse(text));
    expect(err.place).toMatchObject({ file: FILE, line: 6 });
    expect(err.message).toBe('row has 4 fields but the header has 3 columns');
  });

  it('handles CRLF line endings, including inside quotes', () => {
    const t = parse('a,b\r\n1,2\r\n"x\r\ny",3\r\n4,5\r\n');
    expect(t.rows).toEqual([
      ['1', '2'],
      ['x\r\ny', '3'],
      ['4', '5'],
    ]);
    expect(t.rowLines).toEqual([2, 3, 5]);
  });

  it('strips a UTF-8 BOM', () => {
    const t = parse('\uFEFFid,name\n1,a\n');
    expect(t.header).toEqual(['id', 'name']);
  });

  it('skips blank lines but counts them for line numbers', () => {
    const t = parse('\na,b\n\n1,2\n   \n\r\n3,4\n\n\n');
    expect(t.header).toEqual(['a', 'b']);
    expect(t.rows).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(t.rowLines).toEqual([4, 7]);
  });

  it('distinguishes null (empty unquoted) from empty string (quoted)', () => {
    const t = parse('a,b,c\n,"",x\n1,,\n');
    expect(t.rows).toEqual([
      [null, '', 'x'],
      ['1', null, null],
    ]);
  });

  it('keeps whitespace in values but trims header names', () => {
    const t = parse(' id , name \n 1 , a b \n');
    expect(t.header).toEqual(['id', 'name']);
    expect(t.rows).toEqual([[' 1 ', ' a b ']]);
  });

  it('supports another delimiter', () => {
    const t = parse('a;b\n"1;2";3\n', ';');
    expect(t.rows).toEqual([['1;2', '3']]);
    const tabs = parse('a\tb\n1\t\n', '\t');
    expect(tabs.rows).toEqual([['1', null]]);
  });

  it('rejects a row with too few fields', () => {
    const err = userError(() => parse('a,b,c\n1,2,3\n4,5\n'));
    expect(err.place).toMatchObject({ file: FILE, line: 3 });
    expect(err.message).toBe('row has 2 fields but the header has 3 columns');
    expect(err.excerpt).toBe('4,5');
  });

  it('rejects a row with too many fields', () => {
    const err = userError(() => parse('a,b,c\n1,2,3,4\n'));
    expect(err.place).toMatchObject({ file: FILE, line: 2 });
    expect(err.message).toBe('row has 4 fields but the header has 3 columns');
  });

  it('rejects an unterminated quote, pointing at where the field began', () => {
    const err = userError(() => parse('a,b\n1,2\n3,"open\nstill open\n'));
    expect(err.place).toMatchObject({ file: FILE, line: 3, column: 3 });
    expect(err.message).toMatch(/unterminated quoted field/);
  });

  it('rejects garbage after a closing quote', () => {
    const err = userError(() => parse('a,b\n"x"y,1\n'));
    expect(err.place).toMatchObject({ file: FILE, line: 2, column: 4 });
  });

  it('rejects a duplicate header name (case-insensitive)', () => {
    const err = userError(() => parse('id,name,ID\n1,a,2\n'));
    expect(err.place).toMatchObject({ file: FILE, line: 1 });
    expect(err.message).toMatch(/duplicate column name "ID"/);
    const err2 = userError(() => parse('id, name ,name\n'));
    expect(err2.place).toMatchObject({ file: FILE, line: 1 });
  });

  it('rejects an empty header name', () => {
    const err = userError(() => parse('id,,name\n1,2,3\n'));
    expect(err.place).toMatchObject({ file: FILE, line: 1 });
    expect(err.message).toMatch(/empty column name/);
    expect(userError(() => parse('id,"  "\n')).place.line).toBe(1);
  });

  it('rejects an empty file', () => {
    expect(userError(() => parse('')).place.file).toBe(FILE);
    userError(() => parse('\uFEFF\n\n'));
  });

  it('accepts a header-only file', () => {
    const t = parse('a,b\n');
    expect(t.rows).toEqual([]);
    expect(t.rowLines).toEqual([]);
  });

  it('parses a generated ~5 MB file', () => {
    const parts: string[] = ['id,name,amount,created_at,note\n'];
    let size = parts[0].length;
    let n = 0;
    let physicalLine = 2;
    let lastRowLine = 0;
    while (size < 5_000_000) {
      lastRowLine = physicalLine;
      physicalLine += n % 10 === 0 ? 2 : 1;
      const line =
        n % 10 === 0
          ? `${n},"name, with comma ${n}",${n}.25,2024-01-01 10:00:00,"multi\nline ""quoted"""\n`
          : `${n},name${n},${n}.5,2024-01-01,\n`;
      parts.push(line);
      size += line.length;
      n++;
    }
    const t = parse(parts.join(''));
    expect(t.rows.length).toBe(n);
    expect(t.rows[0][4]).toBe('multi\nline "quoted"');
    expect(t.rows[1][4]).toBeNull();
    // Each 10th row spans two physical lines.
    expect(t.rowLines[n - 1]).toBe(lastRowLine);
    expect(t.rowLines[1]).toBe(4);
  });
});

describe('inferColumnTypes', () => {
  it('infers boolean only from true/false (any case)', () => {
    expect(inferOne(['true', 'FALSE', 'True', null]).type).toBe('boolean');
    expect(inferOne([' true ', 'false']).type).toBe('boolean');
    expect(inferOne(['0', '1']).type).toBe('integer');
    expect(inferOne(['true', 'yes']).type).toBe('varchar');
  });

  it('infers integer within int32 and bigint beyond it', () => {
    expect(inferOne(['1', '-2', '+3', '0']).type).toBe('integer');
    expect(inferOne(['2147483647', '-2147483648']).type).toBe('integer');
    expect(inferOne(['2147483648']).type).toBe('bigint');
    expect(inferOne(['-2147483649']).type).toBe('bigint');
    expect(inferOne(['9223372036854775807', '-9223372036854775808']).type).toBe('bigint');
  });

  it('uses decimal beyond int64, double beyond 38 digits', () => {
    expect(inferOne(['9223372036854775808'])).toEqual({ name: 'c', type: 'decimal', precision: 19, scale: 0 });
    expect(inferOne(['-9223372036854775809'])).toEqual({ name: 'c', type: 'decimal', precision: 19, scale: 0 });
    expect(inferOne(['9'.repeat(38)]).type).toBe('decimal');
    expect(inferOne(['9'.repeat(39)]).type).toBe('double');
  });

  it('treats a leading zero as text', () => {
    expect(inferOne(['007', '1']).type).toBe('varchar');
    expect(inferOne(['02134', '90210']).type).toBe('varchar');
    expect(inferOne(['01.5']).type).toBe('varchar');
    expect(inferOne(['0', '0.5', '-0.25']).type).toBe('decimal');
  });

  it('infers decimal with precision/scale fitting all values', () => {
    expect(inferOne(['12.50', '-3.125', '100'])).toEqual({ name: 'c', type: 'decimal', precision: 6, scale: 3 });
    expect(inferOne(['0.001'])).toEqual({ name: 'c', type: 'decimal', precision: 3, scale: 3 });
    expect(inferOne(['12345.6', '0.12'])).toEqual({ name: 'c', type: 'decimal', precision: 7, scale: 2 });
    expect(inferOne(['1.' + '0'.repeat(37)])).toEqual({ name: 'c', type: 'decimal', precision: 38, scale: 37 });
    expect(inferOne(['10.' + '0'.repeat(37)]).type).toBe('double');
  });

  it('infers double for scientific notation', () => {
    expect(inferOne(['1e5', '2.5E-3', '-1.0e+10']).type).toBe('double');
    expect(inferOne(['1', '2.5', '3e2']).type).toBe('double');
    expect(inferOne(['1e999']).type).toBe('varchar');
    expect(inferOne(['1e']).type).toBe('varchar');
    expect(inferOne(['NaN', 'inf']).type).toBe('varchar');
  });

  it('infers date only for real calendar dates', () => {
    expect(inferOne(['2024-01-31', '2024-02-29', null]).type).toBe('date');
    expect(inferOne(['2024-02-30']).type).toBe('varchar');
    expect(inferOne(['2023-02-29']).type).toBe('varchar');
    expect(inferOne(['2024-13-01']).type).toBe('varchar');
    expect(inferOne(['2024-1-01']).type).toBe('varchar');
    expect(inferOne(['2000-02-29', '1900-02-28']).type).toBe('date');
    expect(inferOne(['1900-02-29']).type).toBe('varchar');
  });

  it('infers timestamp', () => {
    expect(inferOne(['2024-01-01 10:00', '2024-01-01T10:00:05', '2024-01-01 10:00:05.123456']).type).toBe(
      'timestamp',
    );
    expect(inferOne(['2024-01-01T10:00:00Z', '2024-01-01T10:00:00+02:00']).type).toBe('timestamp');
    // A date-only value fits a timestamp column (midnight).
    expect(inferOne(['2024-01-01', '2024-01-01 10:00:00']).type).toBe('timestamp');
    expect(inferOne(['2024-01-01 24:00:00']).type).toBe('varchar');
    expect(inferOne(['2024-01-01 10:60']).type).toBe('varchar');
    expect(inferOne(['2024-02-30 10:00']).type).toBe('varchar');
  });

  it('falls back to varchar for mixed or text values, and for all-null columns', () => {
    expect(inferOne(['1', 'abc']).type).toBe('varchar');
    expect(inferOne(['true', '1']).type).toBe('varchar');
    expect(inferOne(['2024-01-01', '5']).type).toBe('varchar');
    expect(inferOne([null, null]).type).toBe('varchar');
    expect(inferOne([]).type).toBe('varchar');
    // A quoted empty string is a value, and it is not a number.
    expect(inferOne(['1', '']).type).toBe('varchar');
  });

  it('trims values before testing types', () => {
    expect(inferOne([' 1 ', '2']).type).toBe('integer');
    expect(inferOne([' 2024-01-01']).type).toBe('date');
    expect(inferOne([' 1.5 ']).type).toBe('decimal');
  });

  it('returns one column per header name, in order', () => {
    const t = parse('id,flag,price,day,name\n1,true,1.50,2024-01-01,x\n2,false,2,2024-01-02,y\n');
    expect(inferColumnTypes(t)).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'flag', type: 'boolean' },
      { name: 'price', type: 'decimal', precision: 3, scale: 2 },
      { name: 'day', type: 'date' },
      { name: 'name', type: 'varchar' },
    ]);
  });
});

describe('convertRows', () => {
  it('converts every inferred type to the text sent to the engine (canonical, cast there)', () => {
    const t = parse(
      [
        'i,b,big,dec,dbl,d,ts,s',
        '1,true,9223372036854775807,12.50,1e3,2024-01-31,2024-01-01T10:00:00Z, padded ',
        '-2,FALSE,-5000000000,+.5,2.5,2024-02-29,2024-01-01 10:00,""',
        ',,,,,,,',
      ].join('\n'),
    );
    const types = inferColumnTypes(t);
    expect(types.map((c) => c.type)).toEqual([
      'integer',
      'boolean',
      'bigint',
      'decimal',
      'double',
      'date',
      'timestamp',
      'varchar',
    ]);
    expect(convertRows(t, types)).toEqual([
      ['1', 'true', '9223372036854775807', '12.50', '1e3', '2024-01-31', '2024-01-01 10:00:00', ' padded '],
      ['-2', 'false', '-5000000000', '0.5', '2.5', '2024-02-29', '2024-01-01 10:00:00', ''],
      [null, null, null, null, null, null, null, null],
    ]);
  });

  it('normalises timestamp offsets to UTC', () => {
    const t = parse(
      [
        'ts',
        '2024-01-01T10:30:00+02:00',
        '2024-01-01 01:00:00+05:30',
        '2024-12-31T22:00:00-03:00',
        '2024-03-01T00:15:00+01:00',
        '2024-01-01T10:00:00.5Z',
        '2024-01-01 10:00:00.1234567',
        '2024-01-01',
      ].join('\n'),
    );
    const types = inferColumnTypes(t);
    expect(types[0].type).toBe('timestamp');
    expect(convertRows(t, types).map((r) => r[0])).toEqual([
      '2024-01-01 08:30:00',
      '2023-12-31 19:30:00',
      '2025-01-01 01:00:00',
      '2024-02-29 23:15:00',
      '2024-01-01 10:00:00.500000',
      '2024-01-01 10:00:00.123456',
      '2024-01-01 00:00:00',
    ]);
  });

  it('keeps varchar values exactly, including leading zeros', () => {
    const t = parse('zip\n02134\n 90210 \n');
    const types = inferColumnTypes(t);
    expect(types[0].type).toBe('varchar');
    expect(convertRows(t, types)).toEqual([['02134'], [' 90210 ']]);
  });

  it('uses caller-overridden types', () => {
    const t = parse('id,code,amount\n1,007,3\n2,042,4.5\n');
    const inferred = inferColumnTypes(t);
    expect(inferred.map((c) => c.type)).toEqual(['integer', 'varchar', 'decimal']);
    const types: InferredColumn[] = [
      { name: 'id', type: 'varchar' },
      { name: 'code', type: 'integer' },
      { name: 'amount', type: 'double' },
    ];
    expect(convertRows(t, types)).toEqual([
      ['1', '7', '3'],
      ['2', '42', '4.5'],
    ]);
  });

  it('reports a value that does not fit an overridden type with file and line', () => {
    const t = parse('id,flag\n1,true\n\n2,maybe\n');
    const err = userError(() =>
      convertRows(t, [
        { name: 'id', type: 'integer' },
        { name: 'flag', type: 'boolean' },
      ]),
    );
    expect(err.place).toMatchObject({ file: FILE, line: 4 });
    expect(err.message).toBe('cannot convert value "maybe" in column "flag" to boolean');
    const err2 = userError(() => convertRows(t, [{ name: 'id', type: 'date' }, { name: 'flag', type: 'varchar' }]));
    expect(err2.place.line).toBe(2);
    const big = parse('n\n9223372036854775808\n');
    expect(userError(() => convertRows(big, [{ name: 'n', type: 'bigint' }])).message).toMatch(/to bigint/);
  });
});
