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
 * Tag versions outlive every entry that can carry them (longest class plus stale time);
 * an expired version only turns entries into misses, never into wrong hits.
 */
export const TAG_VERSION_TTL_SECONDS = 2 * TTL.SEVEN_DAYS;
