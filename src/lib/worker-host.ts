import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';

export type JobHandlers = Record<string, (payload: any) => unknown | Promise<unknown>>;

/**
 * Worker threads run at this nice level, above the event loop's: on a machine with fewer free
 * cores than busy threads, the kernel then gives the event loop the CPU first, and a loop of
 * expensive charts slows the answers to everyone else far less (bench/abuse.bench.ts).
 */
const WORKER_NICE = 10;

/** Lowers this thread's priority alone (Linux: a thread's id is a pid to setpriority). */
function lowerThreadPriority(): void {
  let tid: number;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return; // no /proc/thread-self (not Linux): the thread keeps the process's priority
  }
  setPriority(tid, WORKER_NICE);
}

/** Serves jobs posted by a WorkerPool. An error's `code` property travels back to the caller. */
export function serveJobs(handlers: JobHandlers): void {
  if (!parentPort) throw new Error('serveJobs must run inside a worker thread');
  lowerThreadPriority();
  const port = parentPort;
  port.on('message', async ({ job, payload }: { job: string; payload: unknown }) => {
    const handler = handlers[job];
    try {
      if (!handler) throw new Error(`unknown job ${job}; known: ${Object.keys(handlers).join(', ')}`);
      port.postMessage({ ok: true, result: await handler(payload) });
    } catch (err) {
      const e = err as Error & { code?: string; details?: Record<string, unknown> };
      port.postMessage({
        ok: false,
        error: { message: e?.message ?? String(err), code: typeof e?.code === 'string' ? e.code : undefined, details: plainDetails(e?.details) },
      });
    }
  });
}

/** A client error's details travel back only if they survive structured cloning as plain data. */
function plainDetails(details: unknown): Record<string, unknown> | undefined {
  if (!details || typeof details !== 'object') return undefined;
  try {
    return structuredClone(details) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
