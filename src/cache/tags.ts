/**
 * Tag names: the vocabulary of invalidation. An entry depends on tags; a change to an
 * entity invalidates its tag. `Dataset:42` is one dataset, `Dataset` every list of them.
 */
export type Tag = string;

/** The tag of one entity, e.g. entityTag('Dataset', 42) → "Dataset:42". */
export function entityTag(typename: string, id: string | number): Tag {
  return `${typename}:${id}`;
}

/** The tag of every list of a type, e.g. typeTag('ModelRun') → "ModelRun". */
export function typeTag(typename: string): Tag {
  return typename;
}

/** The tag of everything private to one user. */
export function userTag(userId: string): Tag {
  return entityTag('User', userId);
}

const TAG_PATTERN = /^[A-Za-z][A-Za-z0-9_]*(:[^\s]{1,256})?$/;

/** Tags from clients (admin invalidation) must look like tags; returns a message or undefined. */
export function invalidTagReason(tag: string): string | undefined {
  return TAG_PATTERN.test(tag) ? undefined : `"${tag}" is not a tag (Type or Type:id)`;
}
