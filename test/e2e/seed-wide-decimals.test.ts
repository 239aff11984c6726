import { describe, expect, it } from 'vitest';
import { LOCAL_ENGINES, output, useEngineProjects } from '../helpers/engines.js';
import { wideDecimalScale } from '../../src/adapters/duckdb/connection.js';

/**
 * Seeds into decimals wider than 18 digits (a big seed's decimal columns are DECIMAL(38,s)):
 * every value lands exactly as written, whichever way it travels (DuckDB sends the short ones
 * as doubles, the rest as text; see DuckDBSession.loadRows).
 */

const engineProject = useEngineProjects('wdec');
const SCALES = [0, 2, 3, 6];

/** A deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const digits = (rand: () => number, n: number) => Array.from({ length: n }, () => Math.floor(rand() * 10)).join('');

/** Values for a column of `scale`: edge cases, then random ones on both sides of the 15-digit line. */
function valuesFor(scale: number, rand: () => number): string[] {
  const frac = (n: number) => (n > 0 ? `.${digits(rand, n)}` : '');
  const fixed = ['0', '10', '-1', scale ? '0.' + '0'.repeat(scale - 1) + '1' : '7', scale >= 2 ? '0.29' : '29', scale >= 2 ? '-0.07' : '-7', scale >= 3 ? '1.005' : '1005', scale >= 1 ? '1.1' : '11'];
  // the largest values the short path takes (integer digits + scale = 15) and the smallest it leaves to text (16)
  fixed.push('9'.repeat(15 - scale) + (scale ? '.' + '9'.repeat(scale) : ''), '1' + '0'.repeat(15 - scale) + (scale ? '.' + '0'.repeat(scale - 1) + '1' : ''));
  fixed.push('-' + '9'.repeat(38 - scale - 1) + (scale ? '.' + '9'.repeat(scale) : ''));
  const random: string[] = [];
  for (let i = 0; i < 400; i++) {
    const intDigits = 1 + Math.floor(rand() * (20 - scale));
    const lead = String(1 + Math.floor(rand() * 9));
    const sign = rand() < 0.3 ? '-' : '';
    random.push(`${sign}${lead}${digits(rand, intDigits - 1)}${frac(Math.floor(rand() * (scale + 1)))}`);
  }
  return [...fixed, ...random];
}

/** How the engine prints a decimal of `scale`: the fraction padded to the scale. */
function printed(value: string, scale: number): string {
  const [int, frac = ''] = value.split('.');
  return scale ? `${int}.${frac.padEnd(scale, '0')}` : int;
}

describe('wideDecimalScale', () => {
  it('names the scale of decimals wider than 18 digits only', () => {
    expect(wideDecimalScale('decimal(38, 2)')).toBe(2);
    expect(wideDecimalScale('NUMERIC(20,6)')).toBe(6);
    expect(wideDecimalScale('decimal(18,2)')).toBeUndefined();
    expect(wideDecimalScale('double')).toBeUndefined();
    expect(wideDecimalScale('decimal')).toBeUndefined();
  });
});

for (const engine of LOCAL_ENGINES) {
  describe(`wide decimal seeds on ${engine}`, () => {
    it('load every value exactly as written', async () => {
      const rand = prng(20261206);
      const columns = SCALES.map((s) => valuesFor(s, rand));
      const rows = columns[0].map((_, i) => [String(i + 1), ...columns.map((c) => c[i])].join(','));
      const types = SCALES.map((s) => `d${s}: 'decimal(38,${s})'`).join(', ');
      const w = engineProject(engine, {
        'seeds/amounts.csv': `id,${SCALES.map((s) => `d${s}`).join(',')}\n${rows.join('\n')}\n`,
        'seeds/schema.yml': `seeds:\n  - name: amounts\n    config:\n      column_types: {id: integer, ${types}}\n`,
      });
      const r = w.tsql(['seed']);
      expect(r.code, output(r)).toBe(0);
      const got = await w.query(`select id, ${SCALES.map((s) => `cast(d${s} as varchar) as d${s}`).join(', ')} from $s.amounts order by id`);
      expect(got).toHaveLength(rows.length);
      for (const [k, s] of SCALES.entries()) {
        const want = columns[k].map((v) => printed(v, s));
        expect(got.map((row) => row[`d${s}`]), `scale ${s}`).toEqual(want);
      }
    });
  });
}
