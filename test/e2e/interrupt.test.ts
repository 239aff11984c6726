/**
 * Ctrl-C and SIGTERM on DuckDB while statements run: the interrupt must stop
 * them, wait until they have stopped, and only then close the database and
 * exit 130 (closing or exiting while DuckDB still runs a statement blocked
 * forever, holding the file's lock).
 */
import { describe, expect, it } from 'vitest';
import { runCliAsync, useProjects } from '../helpers/project.js';

const project = useProjects();
const SLOW = (k: number) => `{{ config(materialized='table') }}\nselect count(*) as n from range(50000000000) t(i) where i % ${k} = 3\n`;

describe('interrupting a DuckDB run', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} while two statements run: both stop, exit 130 promptly, and the next run opens the database`, async () => {
      const p = project({ 'models/slow_a.sql': SLOW(7), 'models/slow_b.sql': SLOW(5), 'models/quick.sql': 'select 1 as id\n' });
      let sentAt = 0;
      const r = await runCliAsync(['run', '--select', 'slow_a', 'slow_b'], p.dir, {}, (out, child) => {
        // both models have started (their START lines), give DuckDB a moment inside the scans
        if (!sentAt && (out.match(/START sql table model/g) ?? []).length === 2) {
          sentAt = Date.now();
          setTimeout(() => child.kill(signal), 500);
        }
      });
      expect(sentAt, r.stdout + r.stderr).toBeGreaterThan(0);
      expect(r.code, r.stdout + r.stderr).toBe(130);
      expect(Date.now() - sentAt).toBeLessThan(15_000);
      expect(r.stderr).toMatch(signal === 'SIGINT' ? /Interrupted: cancelling running statements/ : /Terminated: cancelling running statements/);
      // the lock is gone: a new run works at once
      const next = await runCliAsync(['run', '--select', 'quick'], p.dir);
      expect(next.code, next.stdout + next.stderr).toBe(0);
    });
  }
});
