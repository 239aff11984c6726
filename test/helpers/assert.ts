import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import type { TempProject } from './project.js';
import { UserError } from '../../src/errors.js';

/** Runs fn, asserts it throws a UserError, and returns it. */
export function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError to be thrown');
}

/** A user mistake: exit 2, the first stderr line matches, no stack trace, nothing ran, no warehouse file. */
export function expectUserError(p: TempProject, pattern: RegExp, args: string[] = ['build'], env: Record<string, string> = {}): string {
  const r = p.tsql(args, env);
  expect(r.code, r.stdout + r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
  expect(r.stdout).not.toMatch(/START|PASS|FAIL/);
  expect(existsSync(p.dbPath)).toBe(false);
  return r.stderr;
}
