/**
 * Redis glob patterns (SCAN MATCH), checked and matched in process, so the in-process tier
 * drops exactly the keys Redis's own matcher would: `*` any run of characters (`:` included),
 * `?` one character, `[abc]` `[a-z]` `[^a]` a class, `\x` the character x literally.
 *
 * The few spellings Redis reads surprisingly (`[a-]` takes the `]` as the end of a range, an
 * unclosed `[`, a trailing `\`) are refused rather than guessed. Our keys are ASCII
 * (encodeSegment escapes everything else), so matching characters here and bytes in Redis agree.
 */

/** Why pattern is not a well-formed glob, or undefined when it is. */
export function invalidGlobReason(pattern: string): string | undefined {
  if (pattern.length === 0) return 'the pattern is empty';
  try {
    toRegExpSource(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The whole-string RegExp equivalent of a well-formed glob; throws on one invalidGlobReason refuses. */
export function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${toRegExpSource(pattern)}$`);
}

function toRegExpSource(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') out += '[\\s\\S]*';
    else if (c === '?') out += '[\\s\\S]';
    else if (c === '\\') {
      if (i === pattern.length - 1) throw new Error('the pattern ends with a lone backslash');
      out += escapeRegExp(pattern[++i]);
    } else if (c === '[') {
      const end = classEnd(pattern, i);
      if (end < 0) throw new Error(`"[" at position ${i} is never closed`);
      out += classToRegExp(pattern.slice(i + 1, end), i);
      i = end;
    } else out += escapeRegExp(c);
  }
  return out;
}

/** Index of the `]` closing the class opened at `open`, or -1. */
function classEnd(pattern: string, open: number): number {
  for (let i = open + 1; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === ']') return i;
  }
  return -1;
}

/** One class body (between the brackets), read as Redis reads it: optional ^, `\x` literal, `a-z` ranges in either order. */
function classToRegExp(body: string, at: number): string {
  let negate = false;
  let i = 0;
  if (body[0] === '^') {
    negate = true;
    i = 1;
  }
  const items: string[] = [];
  while (i < body.length) {
    const c = body[i];
    if (c === '\\' && i + 1 < body.length) {
      // An escaped character is always itself: Redis never starts a range with it.
      items.push(escapeClassChar(body[i + 1]));
      i += 2;
    } else if (body[i + 1] === '-') {
      if (i + 2 >= body.length) throw new Error(`"-" at the end of the class at position ${at} is ambiguous: write \\- for a literal dash`);
      const end = body[i + 2];
      if (end === '\\') throw new Error(`a range ending in a backslash in the class at position ${at} is ambiguous`);
      const [lo, hi] = c <= end ? [c, end] : [end, c];
      items.push(`${escapeClassChar(lo)}-${escapeClassChar(hi)}`);
      i += 3;
    } else {
      items.push(escapeClassChar(c));
      i++;
    }
  }
  if (items.length === 0) return negate ? '[\\s\\S]' : '(?!)';
  return `[${negate ? '^' : ''}${items.join('')}]`;
}

const escapeRegExp = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/-]/g, (m) => `\\${m}`);
const escapeClassChar = (c: string) => c.replace(/[\\\]^[-]/g, (m) => `\\${m}`);
