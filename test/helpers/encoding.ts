import { createHash } from 'node:crypto';

/** The SHA-256 of text or bytes, in hex (persisted-query hashes, recording ids). */
export const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

export const base64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');
