import { InputError } from '../lib/errors';

/** The most items one list field returns: a page larger than this is refused, not truncated. */
export const MAX_PAGE_SIZE = 500;

/** Throws BAD_USER_INPUT unless limit is a whole number from 1 to MAX_PAGE_SIZE. */
export function checkPageSize(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
    throw new InputError(`limit must be from 1 to ${MAX_PAGE_SIZE}, got ${limit}`, { limit });
}
