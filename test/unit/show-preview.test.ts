import { describe, expect, it } from 'vitest';
import { formatTable } from '../../src/show/preview.js';

describe("tsql show's table", () => {
  it('is a markdown table whose rule has a dash in every cell, even under a one-letter number column', () => {
    const out = formatTable([{ n: 7, s: 'x' }], ['n', 's']).trimEnd().split('\n');
    expect(out).toEqual(['|  n | s |', '| -: | - |', '|  7 | x |']);
  });

  it('prints a Date (an engine that gives no text for it) as a SQL client does, without ISO T and Z', () => {
    const out = formatTable([{ at: new Date('2024-01-03T10:00:00Z'), ms: new Date('2024-01-03T10:00:00.125Z') }], ['at', 'ms']).trimEnd().split('\n');
    expect(out[2]).toBe('| 2024-01-03 10:00:00 | 2024-01-03 10:00:00.125 |');
  });
});
