import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { userError } from '../helpers/assert.js';
import { outsideLake } from '../../src/project/lake.js';
import { isInside, realPath } from '../../src/project/paths.js';
import { invalidUtf8Offset, readTextFile } from '../../src/project/text-file.js';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
function tempDir(): string {
  const d = realpathSync(mkdtempSync(join(tmpdir(), 'tsql-paths-')));
  dirs.push(d);
  return d;
}

describe('realPath', () => {
  it('follows symlinks of the existing part, dangling ones too, and appends the rest', () => {
    const d = tempDir();
    mkdirSync(join(d, 'real'));
    symlinkSync(join(d, 'real'), join(d, 'link'));
    symlinkSync(join(d, 'nowhere', 'deep'), join(d, 'dangling'));
    expect(realPath(join(d, 'link', 'a', 'b.csv'))).toBe(join(d, 'real', 'a', 'b.csv'));
    expect(realPath(join(d, 'dangling', 'x.csv'))).toBe(join(d, 'nowhere', 'deep', 'x.csv'));
    expect(realPath(join(d, 'real', '..', 'real', 'y'))).toBe(join(d, 'real', 'y'));
  });

  it('isInside compares whole segments', () => {
    expect(isInside('/a/lake', '/a/lake/x')).toBe(true);
    expect(isInside('/a/lake', '/a/lake')).toBe(true);
    expect(isInside('/a/lake', '/a/lake', { strictly: true })).toBe(false);
    expect(isInside('/a/lake', '/a/lakehouse/x')).toBe(false);
    expect(isInside('/a/lake', '/a')).toBe(false);
  });
});

describe('outsideLake', () => {
  it('remote roots are prefixes without ..', () => {
    expect(outsideLake('s3://b/lake', 's3://b/lake/stage/x.csv')).toBeUndefined();
    expect(outsideLake('s3://b/lake', 's3://b/lake/stage/')).toBeUndefined();
    expect(outsideLake('s3://b/lake', 's3://b/lakehouse/x.csv')).toMatch(/not below the lake root s3:\/\/b\/lake/);
    expect(outsideLake('s3://b/lake', 's3://b/lake/../other/x.csv')).toMatch(/'\.\.' is not allowed/);
    expect(outsideLake('@STAGE/lake', '@STAGE/lake/x/y.csv')).toBeUndefined();
    expect(outsideLake('@STAGE/lake', '@OTHER/x.csv')).toMatch(/not below/);
    expect(outsideLake('s3://b/lake', '/etc/x.csv')).toMatch(/not below/);
  });

  it('a local root takes no remote location', () => {
    const d = tempDir();
    expect(outsideLake(d, join(d, 'x.csv'))).toBeUndefined();
    expect(outsideLake(d, 's3://b/x.csv')).toMatch(/not below/);
    expect(outsideLake(join(d, 'lake'), join(d, 'x.csv'))).toMatch(/resolves to .*x\.csv, outside the lake root/);
  });
});

describe('readTextFile', () => {
  it('finds the start of the first invalid sequence', () => {
    expect(invalidUtf8Offset(Buffer.from('plain é ✓ 𝄞'))).toBe(-1);
    expect(invalidUtf8Offset(Buffer.from([0x61, 0xc0, 0x80]))).toBe(1); // overlong
    expect(invalidUtf8Offset(Buffer.from([0x61, 0x62, 0xe2, 0x82]))).toBe(2); // truncated
    expect(invalidUtf8Offset(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // past U+10FFFF
    expect(invalidUtf8Offset(Buffer.from([0x61, 0x80]))).toBe(1); // lone continuation
  });

  it('refuses a binary seed with the NUL byte offset', () => {
    const d = tempDir();
    writeFileSync(join(d, 's.csv'), Buffer.from('id\n1\u0000\n'));
    expect(userError(() => readTextFile(join(d, 's.csv'), 'seeds/s.csv', { binary: 'refuse' })).format()).toBe('seeds/s.csv: binary file, not text (a NUL byte at byte offset 4)');
  });
});
