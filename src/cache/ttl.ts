/**
 * The named TTL classes, in seconds. Policies name a class rather than a number, so the
 * whole gateway's freshness can be read (and changed) here.
 */
export const TTL = {
  FIVE_MINUTES: 300,
  FIFTEEN_MINUTES: 900,
  THIRTY_MINUTES: 1_800,
  ONE_HOUR: 3_600,
  TWO_HOURS: 7_200,
  THREE_HOURS: 10_800,
  ONE_DAY: 86_400,
  SEVEN_DAYS: 604_800,
} as const;

/** A null result ("not found") is cached this long at most, so a later create shows up soon even without a tag. */
export const NEGATIVE_TTL_SECONDS = 60;

/**
 * A version written by an invalidation lives as long as the longest class, no longer; an entry
 * stored with a version lengthens it to its own life (PEXPIRE GT), so no version outlives the
 * entries that carry it by more than that. An expired version only turns entries into misses,
 * never into wrong hits.
 */
export const TAG_VERSION_TTL_SECONDS = TTL.SEVEN_DAYS;

/**
 * A version a reader creates before loading lives this long until an entry is stored with it:
 * a request over ids that do not exist leaves versions that expire with its negative entries.
 */
export const NEW_TAG_VERSION_TTL_SECONDS = NEGATIVE_TTL_SECONDS;
