import { IsInt, Matches, Max, MaxLength, Min, ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * Bounds shared by the `*.args.ts` classes. They are checked before any cache work (see
 * src/graphql/guard/args.ts): an argument outside them is refused with BAD_USER_INPUT before a
 * key is built, a tag version created or a worker woken.
 */

/** Any ID argument: long enough for a UUID or a SHA-256, short enough never to fill a key or a log line. */
export const MAX_ID_LENGTH = 128;
/** Any String argument without a bound of its own (names, columns, steps, tags…). */
export const MAX_STRING_LENGTH = 1024;
/** Any list argument without a bound of its own. */
export const MAX_LIST_LENGTH = 1000;

/** PostgreSQL's integer, the type of serial ids: a larger id would fail in the database, not as input. */
const MAX_SERIAL = 2_147_483_647;

/** A serial id (datasets): digits from 1 to MAX_SERIAL. */
export function SerialId(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'serialId',
      validator: { validate: (value) => typeof value === 'string' && /^[1-9][0-9]{0,9}$/.test(value) && Number(value) <= MAX_SERIAL },
    },
    { message: ({ property, value }) => `${property} must be a dataset id (digits, at most ${MAX_SERIAL}), got ${preview(value)}`, ...options },
  );
}

/** A UUID (model runs). */
export function UuidId(options?: ValidationOptions): PropertyDecorator {
  return Matches(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, {
    message: ({ property, value }) => `${property} must be a model run id (a UUID), got ${preview(value)}`,
    ...options,
  });
}

/** A lowercase SHA-256 in hex (EMG recordings are named by their content). */
export function Sha256Id(options?: ValidationOptions): PropertyDecorator {
  return Matches(/^[0-9a-f]{64}$/, {
    message: ({ property, value }) => `${property} must be an EMG recording id (64 hex digits), got ${preview(value)}`,
    ...options,
  });
}

/** A page size: 1 to max. */
export function PageSize(max: number): PropertyDecorator {
  return (target, key) => {
    const message = ({ property, value }: { property: string; value: unknown }) => `${property} must be from 1 to ${max}, got ${preview(value)}`;
    IsInt({ message })(target, key);
    Min(1, { message })(target, key);
    Max(max, { message })(target, key);
  };
}

/** A string of at most max characters (UTF-16 units, as JavaScript counts). */
export function Text(max: number, options?: ValidationOptions): PropertyDecorator {
  return MaxLength(max, {
    message: ({ property, value }) => `${property} must be at most ${max} characters, got ${String(value).length}`,
    ...options,
  });
}

/** The start of a refused value for a message: never the whole of a megabyte. */
export function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
