import { describe, expect, it } from 'vitest';
import { newestMatching, parseConstraints } from '../../src/project/version-range.js';

const AVAILABLE = ['0.9.0', '1.0.0', '1.1.2', '1.10.0', '2.0.0-b1', '2.0.0'];

describe('package version constraints', () => {
  it('picks the newest version meeting every constraint, comparing numerically', () => {
    expect(newestMatching(AVAILABLE, parseConstraints(['>=1.0.0', '<2.0.0']).constraints)).toBe('1.10.0');
    expect(newestMatching(AVAILABLE, parseConstraints(['>=1.0.0, <1.5.0']).constraints)).toBe('1.1.2');
    expect(newestMatching(AVAILABLE, parseConstraints(['1.0.0']).constraints)).toBe('1.0.0');
    expect(newestMatching(AVAILABLE, parseConstraints(['>1.10.0']).constraints)).toBe('2.0.0');
    expect(newestMatching(AVAILABLE, parseConstraints(['>=3.0.0']).constraints)).toBeUndefined();
  });

  it('skips prereleases unless named exactly; refuses what it cannot read', () => {
    expect(newestMatching(['1.0.0', '2.0.0-b1'], parseConstraints(['>=1.0.0']).constraints)).toBe('1.0.0');
    expect(newestMatching(['1.0.0', '2.0.0-b1'], parseConstraints(['=2.0.0-b1']).constraints)).toBe('2.0.0-b1');
    expect(parseConstraints(['~>1.0']).bad).toBe('~>1.0');
  });
});
