import { describe, expect, it } from 'vitest';
import { describeHolder, lockApplicationName, runIdentity, workerApplicationName } from '../../src/adapters/postgres/run-lock.js';

describe('run identity (application_name of a run)', () => {
  it('is the same key for the same database and schema, another for another schema', () => {
    const a = runIdentity('shop', 'analytics', new Date('2024-01-03T06:00:12.345Z'));
    expect(a.key).toMatch(/^[0-9a-f]{8}$/);
    expect(runIdentity('shop', 'analytics').key).toBe(a.key);
    expect(runIdentity('shop', 'staging').key).not.toBe(a.key);
    expect(a.who).toMatch(new RegExp(`^${process.pid}@\\S{1,18} 20240103T060012Z$`));
  });

  it('fits in the server\'s 63 characters, the lock connection\'s name included', () => {
    const id = { ...runIdentity('shop', 'analytics'), who: `9999999@${'h'.repeat(18)} 20240103T060012Z` };
    expect(lockApplicationName(id).length).toBeLessThanOrEqual(63);
    expect(workerApplicationName(id).length).toBeLessThanOrEqual(63);
  });

  it('reads back as host, pid and start', () => {
    expect(describeHolder('4242@ci-7 20240103T060012Z')).toBe('on host ci-7, pid 4242, started 2024-01-03 06:00:12 UTC');
  });
});
