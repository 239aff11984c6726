import { describe, expect, it } from 'vitest';
import { runDag, type DagTask, type TaskOutcome } from '../../src/execution/dag-runner.js';

function tasks(edges: Record<string, string[]>): DagTask[] {
  return Object.entries(edges).map(([id, deps]) => ({ id, deps }));
}

describe('runDag', () => {
  it('runs every task after its dependencies, at most `threads` at a time', async () => {
    const order: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const done = new Set<string>();
    const graph = tasks({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'], e: [] });
    await runDag(graph, {
      threads: 2,
      failFast: false,
      onSkip: () => {},
      run: async (t) => {
        for (const d of t.deps) expect(done.has(d)).toBe(true);
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        done.add(t.id);
        order.push(t.id);
        return { status: 'success' };
      },
    });
    expect(done.size).toBe(5);
    expect(maxRunning).toBe(2);
    expect(order.indexOf('d')).toBe(4);
  });

  it('skips the descendants of a failure and runs the rest', async () => {
    const skipped: string[] = [];
    const results = await runDag(tasks({ a: [], b: ['a'], c: ['b'], x: [], y: ['x'] }), {
      threads: 1,
      failFast: false,
      onSkip: (t) => skipped.push(t.id),
      run: async (t): Promise<TaskOutcome> => (t.id === 'a' ? { status: 'error', message: 'boom' } : { status: 'success' }),
    });
    expect(Object.fromEntries([...results].map(([k, v]) => [k, v.status]))).toEqual({ a: 'error', b: 'skipped', c: 'skipped', x: 'success', y: 'success' });
    expect(skipped.sort()).toEqual(['b', 'c']);
    expect(results.get('c')!.message).toBe('upstream a failed');
  });

  it('fail-fast starts nothing after the first failure', async () => {
    const ran: string[] = [];
    const results = await runDag(tasks({ a: [], b: [], c: [], d: [] }), {
      threads: 1,
      failFast: true,
      onSkip: () => {},
      run: async (t): Promise<TaskOutcome> => {
        ran.push(t.id);
        return { status: ran.length === 1 ? 'error' : 'success' };
      },
    });
    expect(ran).toHaveLength(1);
    expect([...results.values()].filter((r) => r.status === 'skipped')).toHaveLength(3);
  });

  it('a thrown error is a failed task, not a crashed run', async () => {
    const results = await runDag(tasks({ a: [], b: ['a'] }), {
      threads: 2,
      failFast: false,
      onSkip: () => {},
      run: async () => {
        throw new Error('connection lost');
      },
    });
    expect(results.get('a')).toEqual({ status: 'error', message: 'connection lost' });
    expect(results.get('b')!.status).toBe('skipped');
  });

  it('prefers the task with the longest chain below it', async () => {
    const order: string[] = [];
    // `long` heads a chain of three; `short` has nothing below it. Both are ready at once.
    await runDag(tasks({ short: [], long: [], l2: ['long'], l3: ['l2'] }), {
      threads: 1,
      failFast: false,
      onSkip: () => {},
      run: async (t) => {
        order.push(t.id);
        return { status: 'success' };
      },
    });
    expect(order[0]).toBe('long');
  });

  it('handles a 20,000-long chain without deep recursion', async () => {
    const g: DagTask[] = Array.from({ length: 20000 }, (_, i) => ({ id: `n${i}`, deps: i ? [`n${i - 1}`] : [] }));
    const results = await runDag(g, { threads: 4, failFast: false, onSkip: () => {}, run: async () => ({ status: 'success' }) });
    expect(results.size).toBe(20000);
  });
});
