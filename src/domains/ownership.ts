import type { User } from '../identity';
import { ForbiddenError } from '../lib/errors';

/**
 * Who created a dataset, EMG recording or model run: a user's id, or null for the system (the
 * first-start seeds, rows from before ownership was recorded, rows written outside the gateway).
 */
export type Owner = string | null;

/** What an entity created by this caller records as its owner. */
export function ownerFor(user: User | undefined): Owner {
  return user?.id ?? null;
}

/**
 * Changing or deleting an entity needs its owner or an admin, and the system's entities need an
 * admin. Throws FORBIDDEN otherwise; callers check inside the transaction that writes, before any
 * worker or cache work, so a refusal changes nothing. The message never names the owner.
 */
export function checkOwnership(user: User | undefined, owner: Owner, what: string): void {
  if (user?.role === 'admin') return;
  if (user && owner !== null && owner === user.id) return;
  throw new ForbiddenError(
    owner === null
      ? `${what} belongs to the system: only an admin may change it`
      : `${what} belongs to another user: only its owner or an admin may change it`,
  );
}
