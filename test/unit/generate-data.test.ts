import { describe, it, expect, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCRIPT = 'scripts/generate-data.mjs';
const PURCHASE_HEADER = 'invoice_number,stock_code,detail,quantity,invoice_date,unit_price,customer_id,country';
const REVIEW_HEADER = 'cid,review_str';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tsql-gen-'));
  dirs.push(d);
  return d;
}

interface Generated {
  dir: string;
  stdout: string;
  purchases: string;
  reviews: string;
}

function generate(args: string[]): Generated {
  const dir = tempDir();
  const stdout = execFileSync(process.execPath, [SCRIPT, ...args, '--out', dir], { cwd: ROOT, encoding: 'utf8' });
  return {
    dir,
    stdout,
    purchases: readFileSync(join(dir, 'user_purchase.csv'), 'utf8'),
    reviews: readFileSync(join(dir, 'movie_review.csv'), 'utf8'),
  };
}

/** Minimal RFC 4180 reader (LF records) to count rows and fields independently of src/. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function run(args: string[]) {
  return spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8' });
}

describe('scripts/generate-data.mjs', () => {
  const base = ['--purchases', '300', '--reviews', '80', '--seed', '7', '--start', '2024-03-01', '--days', '5'];

  it('is deterministic: same seed, same bytes; another seed, other bytes', () => {
    const a = generate(base);
    const b = generate(base);
    expect(b.purchases).toBe(a.purchases);
    expect(b.reviews).toBe(a.reviews);

    const c = generate([...base.slice(0, 4), '--seed', '8', ...base.slice(6)]);
    expect(c.purchases).not.toBe(a.purchases);
    expect(c.reviews).not.toBe(a.reviews);
  });

  it('writes the exact headers and the requested row counts, every row complete', () => {
    const g = generate(base);
    expect(g.stdout).toMatch(/^generate-data: wrote 300 purchase lines .* and 80 reviews .* in \d+\.\d+s\n$/);
    expect(g.purchases.split('\n', 1)[0]).toBe(PURCHASE_HEADER);
    expect(g.reviews.split('\n', 1)[0]).toBe(REVIEW_HEADER);

    const p = parseCsv(g.purchases);
    const r = parseCsv(g.reviews);
    expect(p.length - 1).toBe(300);
    expect(r.length - 1).toBe(80);
    expect(p.every((row) => row.length === 8 && row.every((v) => v !== ''))).toBe(true);
    expect(r.every((row) => row.length === 2 && row.every((v) => v !== ''))).toBe(true);
    expect(/^[\x00-\x7f]*$/.test(g.purchases + g.reviews)).toBe(true);

    for (const [, , , quantity, date, price, customer] of p.slice(1)) {
      expect(Number(quantity)).toBeGreaterThanOrEqual(1);
      expect(Number(quantity)).toBeLessThanOrEqual(50);
      expect(date).toMatch(/^2024-03-0[1-5] (0[89]|1[0-7]):[0-5]\d:[0-5]\d$/);
      expect(price).toMatch(/^\d{1,2}\.\d{3}$/);
      expect(Number(price)).toBeGreaterThanOrEqual(0.1);
      expect(customer).toMatch(/^[1-9]\d*$/);
    }
    for (const [cid, review] of r.slice(1)) {
      expect(cid).toMatch(/^[1-9]\d*$/);
      const words = review.split(' ').length;
      expect(words).toBeGreaterThanOrEqual(5);
      expect(words).toBeLessThanOrEqual(40);
    }
  });

  it('handles zero rows', () => {
    const g = generate(['--purchases', '0', '--reviews', '0']);
    expect(g.purchases).toBe(PURCHASE_HEADER + '\n');
    expect(g.reviews).toBe(REVIEW_HEADER + '\n');
  });

  it.each([
    [[]],
    [['--purchases', '10', '--reviews', '5']],
    [['--purchases', '-1', '--reviews', '5', '--out', 'x']],
    [['--purchases', 'ten', '--reviews', '5', '--out', 'x']],
    [['--purchases', '10', '--reviews', '5', '--out', 'x', '--days', '0']],
    [['--purchases', '10', '--reviews', '5', '--out', 'x', '--start', '2024-02-30']],
    [['--purchases', '10', '--reviews', '5', '--out', 'x', '--seed', '1.5']],
    [['--purchases', '10', '--reviews', '5', '--out', 'x', '--bogus', '1']],
    [['--purchases', '10', '--purchases', '5', '--reviews', '5', '--out', 'x']],
    [['--purchases', '10', '--reviews']],
  ])('rejects bad arguments %j with one line and exit 2', (args) => {
    const res = run(args);
    expect(res.status).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/^generate-data: error: [^\n]+\n$/);
  });
});
