import { InputError } from '../../lib/errors';

/**
 * The size base64 text decodes to, from its length and padding alone (no scan), so an
 * oversized upload is refused before any work. Throws InputError when the length cannot be
 * padded base64.
 */
export function base64DecodedSize(text: string): number {
  if (text.length % 4 !== 0) throw new InputError(`contentBase64 is not padded base64: its length ${text.length} is not a multiple of 4`);
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

/**
 * Decodes canonical base64 (RFC 4648 section 4: the standard alphabet, `=` padding, no line
 * breaks or spaces). Buffer.from skips characters outside the alphabet and accepts the URL
 * alphabet, so the bytes are encoded again and compared: any text that is not exactly the
 * encoding of its bytes is refused, with the first problem named.
 */
export function decodeBase64Strict(text: string, maxBytes: number): Uint8Array {
  const size = base64DecodedSize(text);
  if (size > maxBytes)
    throw new InputError(`the recording is ${size} bytes; at most ${maxBytes} bytes (${maxBytes / 1024 / 1024} MB) are accepted`, { bytes: size });
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== size || bytes.toString('base64') !== text) throw new InputError(`contentBase64 is not valid base64: ${base64Problem(text)}`);
  return bytes;
}

/** Names the first defect of text that failed the round trip (only called on that path). */
function base64Problem(text: string): string {
  const bad = /[^A-Za-z0-9+/=]/.exec(text);
  if (bad) {
    const shown = /\s/.test(bad[0]) ? 'whitespace (send it without line breaks, e.g. `base64 -w0`)' : JSON.stringify(bad[0]);
    return `${shown} at position ${bad.index} is not in the base64 alphabet`;
  }
  const padding = text.indexOf('=');
  if (padding !== -1 && padding < text.length - 2) return `padding "=" at position ${padding} is not at the end`;
  if (padding === text.length - 2 && text[text.length - 1] !== '=') return `padding "=" at position ${padding} is not at the end`;
  return 'the bits after the last byte are not zero (not the canonical encoding)';
}
