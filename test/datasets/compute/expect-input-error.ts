import { InputError } from '../../../src/lib/errors';

/** Asserts that fn throws an InputError (not just any error) whose message matches. */
export function expectInputError(fn: () => unknown, message: string | RegExp): InputError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(InputError);
  const error = thrown as InputError;
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
  return error;
}
