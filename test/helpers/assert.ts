import { expect } from 'vitest';
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
