/** A promise with its resolver outside: a gate a test opens when it chooses. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until check() is true, polling; fails with message after timeoutMs. */
export async function waitFor(check: () => boolean, message: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${message}`);
    await sleep(5);
  }
}
