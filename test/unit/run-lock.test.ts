import { describe, expect, it } from 'vitest';
import { describeHolder, lockApplicationName, runIdentity, workerApplicationName } from '../../src/adapters/postgres/run-lock.js';
import { LeaseKeeper } from '../../src/adapters/run-lease.js';
import { describeLeaseHolder } from '../../src/adapters/run-lock.js';

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

describe('a lease kept by a heartbeat', () => {
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('renews every quarter of the lease while the lock is ours, and stops when told', async () => {
    let renewals = 0;
    const lost: string[] = [];
    const keeper = new LeaseKeeper(async () => (renewals++, true), 2, (why) => lost.push(why));
    keeper.start();
    await wait(1600);
    await keeper.stop();
    const after = renewals;
    await wait(700);
    expect(after).toBeGreaterThanOrEqual(2);
    expect(renewals).toBe(after);
    expect(lost).toEqual([]);
  });

  it('is lost at once when another run took it', async () => {
    const lost: string[] = [];
    const keeper = new LeaseKeeper(async () => false, 2, (why) => lost.push(why));
    keeper.start();
    await wait(700);
    expect(lost).toEqual(['another run took it after it expired']);
    expect(keeper.lost).toBe('another run took it after it expired');
  });

  it('is lost once it could not be renewed for a whole lease, not before', async () => {
    const lost: string[] = [];
    const keeper = new LeaseKeeper(async () => {
      throw new Error('connection reset');
    }, 2, (why) => lost.push(why));
    keeper.start();
    await wait(1200);
    expect(lost).toEqual([]);
    await wait(1400);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatch(/^it could not be renewed for [23] s \(connection reset\)$/);
    await keeper.stop();
  });

  it('says when the holder\'s lease ends', () => {
    expect(describeLeaseHolder('4242@ci-7 20240103T060012Z', 90)).toMatch(/^on host ci-7, pid 4242, started 2024-01-03 06:00:12 UTC \(if that run is dead, its lock expires at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)$/);
    expect(describeLeaseHolder('4242@ci-7 20240103T060012Z', -5)).toMatch(/\(its lock expired at .* UTC: it is being released\)$/);
    expect(describeLeaseHolder('4242@ci-7 20240103T060012Z', undefined)).toBe('on host ci-7, pid 4242, started 2024-01-03 06:00:12 UTC');
  });
});
