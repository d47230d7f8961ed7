/**
 * The event-loop freeze meter of the hostile suite, in a process of its own: it polls the
 * gateway's /healthz every 50 ms and reports the longest gap between answers. Run in the suite's
 * own process, the poller's timers waited behind the suite's work (building a 150 MB body,
 * parsing a big answer) and counted that as the gateway's freeze.
 *
 * Started by check.ts with fork(); argv[2] is the gateway's URL. Message 'take' answers
 * { freezeMs } (the longest gap since the last take, less the poll interval) and starts over.
 */
const POLL_MS = 50;
const url = process.argv[2];

let last = performance.now();
let worst = 0;
let inFlight = false;
let timer: NodeJS.Timeout | undefined;

/** Polls from now on; the first fetch of a process sets up its HTTP client, so it is made before, uncounted. */
async function start(): Promise<void> {
  await fetch(`${url}/healthz`).then(
    (res) => res.arrayBuffer(),
    () => undefined,
  );
  last = performance.now();
  timer = setInterval(poll, POLL_MS);
  process.send?.('ready');
}

function poll(): void {
  if (inFlight) {
    worst = Math.max(worst, performance.now() - last);
    return;
  }
  inFlight = true;
  fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) })
    .then(async (res) => {
      await res.arrayBuffer();
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    })
    .catch(() => undefined)
    .finally(() => (inFlight = false));
}

process.on('message', (message) => {
  if (message !== 'take') return;
  const freezeMs = Math.max(0, Math.max(worst, performance.now() - last) - POLL_MS);
  worst = 0;
  last = performance.now();
  process.send?.({ freezeMs });
});

void start();

// The suite going away (normally or not) ends the poller.
process.on('disconnect', () => {
  clearInterval(timer);
  process.exit(0);
});
