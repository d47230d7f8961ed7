import { InputError } from '../../src/lib/errors';

/** The InputError fn throws; fails the test if it throws anything else, or nothing. */
export function inputErrorFrom(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw new Error(`expected an InputError, got ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`, { cause: err });
  }
  throw new Error('expected an InputError, but nothing was thrown');
}

/** Asserts that fn throws an InputError (not just any error) whose message is, or matches, message. */
export function expectInputError(fn: () => unknown, message: string | RegExp): InputError {
  const error = inputErrorFrom(fn);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
  return error;
}
