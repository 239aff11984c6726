import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { expectUserError } from '../helpers/assert.js';
import { BIN, useProjects } from '../helpers/project.js';

const project = useProjects();

/** 10,000 × 10,000 iterations: minutes of rendering without a budget. */
const ENDLESS = 'select 1 as id\n{% for i in range(10000) %}\n{% for j in range(10000) %}{% endfor %}{% endfor %}\n';

describe('Jinja that never ends', () => {
  it('a loop past the render budget (TSQL_RENDER_TIMEOUT) is a user error naming the model and the loop line', () => {
    const p = project({ 'models/a.sql': 'select 1 as id', 'models/slow.sql': ENDLESS });
    const t0 = Date.now();
    const r = p.tsql(['compile'], { TSQL_RENDER_TIMEOUT: '1' });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toMatch(/^error: models\/slow\.sql:3: rendering took longer than 1 s \(.*TSQL_RENDER_TIMEOUT=<seconds>\)$/);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it('deep recursion names the macro and its file, or the model', () => {
    const p = project({
      'macros/m.sql': '\n{% macro forever(n) %}{{ forever(n + 1) }}{% endmacro %}\n',
      'models/a.sql': 'select {{ forever(1) }} as x',
      'models/b.sql': '{% macro inner(n) %}{{ inner(n) }}{% endmacro %}\nselect {{ inner(1) }} as x',
    });
    const err = expectUserError(p, /^error: macros\/m\.sql:2: macro 'forever' recursed too deeply/, ['compile']);
    expect(err).toMatch(/models\/b\.sql:\d+: macro 'inner' recursed too deeply/);
    expect(err).not.toMatch(/Maximum call stack/);
  });

  it('range() refuses to build a list of more than ten million items', () => {
    const p = project({ 'models/a.sql': 'select 1 as id\n{% for i in range(100000000) %}{% endfor %}' });
    expectUserError(p, /^error: models\/a\.sql:2: .*range\(\) of 100000000 items is longer than/, ['compile']);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} during compile ends tsql at once, even inside an endless loop`, async () => {
      const p = project({ 'models/slow.sql': ENDLESS });
      const child = spawn(process.execPath, [BIN, 'compile'], { cwd: p.dir, env: { ...process.env, NO_COLOR: '1' } });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
      // well inside the render (the budget, 60 s by default, is far away)
      await new Promise((r) => setTimeout(r, 2500));
      const sent = Date.now();
      child.kill(signal);
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const r = await done;
      clearTimeout(killer);
      // the signal's own default ends the process (the shell shows 130, or 143 for SIGTERM): nothing had been sent anywhere
      expect(r.signal, stderr).toBe(signal);
      expect(Date.now() - sent).toBeLessThan(2000);
      expect(stderr).not.toMatch(/internal error|\n\s+at /);
    });
  }
});
