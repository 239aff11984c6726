/**
 * The live status line: drawn in place (erase the line, write it again) only
 * when stdout is a terminal, with the rows a seed has loaded so far; never in
 * a pipe, and not with --no-progress, --quiet or --log-format json. The
 * terminal is a real pseudo-terminal (util-linux's `script`).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statusText } from '../../src/cli/status-line.js';
import { BIN, useProjects } from '../helpers/project.js';

const project = useProjects();
const ERASE = '\r\x1b[2K';

describe('the status line text', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const running = [
    { uniqueId: 'seed.shop.user_purchase', label: 'seed user_purchase', startedAt: t0 + 2_000, rows: 4_215_000, verb: 'loaded' },
    { uniqueId: 'model.shop.orders', label: 'table orders', startedAt: t0 + 40_000 },
  ];
  it('shows the elapsed time, the nodes done, and each running node with its rows and time', () => {
    const text = statusText(running, { startedAt: t0, finished: 3, total: 14 }, t0 + 42_000, 200);
    expect(text).toBe('[0:42] 3 of 14 done, 2 running · seed user_purchase 4,215,000 rows loaded 0:40 · table orders 0:02');
  });
  it('is cut to the terminal width, hours shown past the hour', () => {
    const text = statusText(running, { startedAt: t0, finished: 3, total: 14 }, t0 + 3_725_000, 40);
    expect(text).toHaveLength(40);
    expect(text.startsWith('[1:02:05] 3 of 14 done, 2 running')).toBe(true);
    expect(text.endsWith('…')).toBe(true);
  });
});

/** Runs the CLI with stdout on a pseudo-terminal; returns all it wrote there (the raw bytes, as text). */
function onTerminal(dir: string, args: string[]): { code: number | null; out: string } {
  const cmd = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('script', ['-qefc', cmd, '/dev/null'], { cwd: dir, encoding: 'utf8', env: { ...process.env, TERM: 'xterm', NO_COLOR: '1', COLUMNS: '160' }, timeout: 300_000 });
  return { code: r.status, out: r.stdout };
}

describe.skipIf(spawnSync('script', ['--version']).status !== 0)('on a terminal', () => {
  function bigSeedProject() {
    const p = project({ 'seeds/events.csv': '' });
    // about 20 MB: a few seconds of loading, several redraws
    const fd = openSync(join(p.dir, 'seeds', 'events.csv'), 'w');
    writeSync(fd, 'id,name,amount\n');
    let block = '';
    for (let i = 0; i < 20_000; i++) block += `${i},"name ${i % 97}",${i % 1000}.25\n`;
    const b = Buffer.from(block);
    for (let k = 0; k < 40; k++) writeSync(fd, b);
    closeSync(fd);
    return p;
  }

  it('draws the running seed with its rows loaded so far, in place, and erases it at the end', () => {
    const p = bigSeedProject();
    const r = onTerminal(p.dir, ['seed']);
    expect(r.code, r.out).toBe(0);
    const frames = r.out.split(ERASE).slice(1);
    expect(frames.length, r.out).toBeGreaterThan(1);
    expect(r.out).toMatch(/\[0:0\d\] 0 of 1 done, 1 running · seed events [\d,]+ rows loaded 0:0\d/);
    // the log lines are whole: the status line never ends up inside one
    expect(r.out).toMatch(/OK loaded seed file main\.events/);
    // the last thing on the terminal is not a status line
    expect(r.out.slice(r.out.lastIndexOf(ERASE) + ERASE.length)).not.toMatch(/ done, \d+ running/);
  }, 300_000);

  it('is not drawn with --no-progress, --quiet or --log-format json', () => {
    const p = bigSeedProject();
    for (const flags of [['--no-progress'], ['--quiet'], ['--log-format', 'json']]) {
      const r = onTerminal(p.dir, ['seed', ...flags]);
      expect(r.code, `${flags.join(' ')}: ${r.out}`).toBe(0);
      expect(r.out, flags.join(' ')).not.toContain(ERASE);
      expect(r.out, flags.join(' ')).not.toMatch(/rows loaded/);
    }
  }, 300_000);

  it('is not drawn into a pipe', () => {
    const p = bigSeedProject();
    const r = spawnSync(process.execPath, [BIN, 'seed'], { cwd: p.dir, encoding: 'utf8', env: { ...process.env, TERM: 'xterm', NO_COLOR: '1' } });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toContain(ERASE);
    expect(r.stdout).toMatch(/OK loaded seed file main\.events/);
  }, 300_000);
});
