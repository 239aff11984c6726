import { describe, expect, it } from 'vitest';
import { formatTable } from '../../src/show/preview.js';

describe("tsql show's table", () => {
  it('is a markdown table whose rule has a dash in every cell, even under a one-letter number column', () => {
    const out = formatTable([{ n: 7, s: 'x' }], ['n', 's']).trimEnd().split('\n');
    expect(out).toEqual(['|  n | s |', '| -: | - |', '|  7 | x |']);
  });
});
