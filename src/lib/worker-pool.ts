import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { type ClientError, ForbiddenError, InputError, NotFoundError, PreconditionError, UnauthenticatedError } from './errors';
import type { JobHandlers } from './worker-host';

/** A job's failure inside a worker, carrying the code the worker gave it (e.g. BAD_USER_INPUT). */
export class WorkerJobError extends Error {
  constructor(
    readonly job: string,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'WorkerJobError';
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
  job: string;
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

interface Queued {
  job: string;
  payload: unknown;
  transfer: ArrayBuffer[];
  pending: Pending;
}

/**
 * Resolves a worker module given without extension: the compiled `.js` beside it when the
 * gateway runs from `dist/`, else the `.ts` source run through tsx (tests, `tsx` scripts).
 */
export function resolveWorkerScript(basePathWithoutExt: string): { file: string; execArgv: string[] } {
  if (existsSync(`${basePathWithoutExt}.js`)) return { file: `${basePathWithoutExt}.js`, execArgv: [] };
  if (existsSync(`${basePathWithoutExt}.ts`)) return { file: `${basePathWithoutExt}.ts`, execArgv: ['--require', 'tsx/cjs'] };
  throw new Error(`worker script not found: ${basePathWithoutExt}.js or .ts`);
}

/**
 * A fixed pool of worker threads running one script, so CPU-heavy work never blocks the
 * event loop. Jobs queue when every worker is busy; a worker that dies is replaced and its
 * job rejected. Jobs is the script's job map (its serveJobs argument): a job's name, payload
 * and result are checked against it.
 */
export class WorkerPool<Jobs extends JobHandlers> {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private readonly inFlight = new Map<Worker, Pending>();
  private closed = false;

  constructor(
    private readonly scriptBase: string,
    private readonly size = 1,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`WorkerPool size must be a positive integer, got ${size}`);
  }

  run<K extends keyof Jobs & string>(job: K, payload: Parameters<Jobs[K]>[0], transfer: ArrayBuffer[] = []): Promise<Awaited<ReturnType<Jobs[K]>>> {
    type Result = Awaited<ReturnType<Jobs[K]>>;
    if (this.closed) return Promise.reject(new Error(`worker pool ${this.scriptBase} is closed`));
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ job, payload, transfer, pending: { resolve: resolve as (v: unknown) => void, reject, job } });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.pending.reject(new Error('worker pool closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => !s.busy) ?? (this.slots.length < this.size ? this.spawn() : undefined);
      if (!slot) return;
      const next = this.queue.shift()!;
      slot.busy = true;
      this.inFlight.set(slot.worker, next.pending);
      slot.worker.postMessage({ job: next.job, payload: next.payload }, next.transfer);
    }
  }

  private spawn(): Slot {
    const { file, execArgv } = resolveWorkerScript(this.scriptBase);
    const worker = new Worker(file, { execArgv });
    worker.unref();
    const slot: Slot = { worker, busy: false };
    worker.on('message', (msg: { ok: boolean; result?: unknown; error?: { message: string; code?: string; details?: Record<string, unknown> } }) => {
      const pending = this.inFlight.get(worker);
      this.inFlight.delete(worker);
      slot.busy = false;
      if (pending) {
        if (msg.ok) pending.resolve(msg.result);
        else pending.reject(jobError(pending.job, msg.error?.message ?? 'worker failed', msg.error?.code, msg.error?.details));
      }
      this.dispatch();
    });
    const fail = (err: Error) => {
      const pending = this.inFlight.get(worker);
      this.inFlight.delete(worker);
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      pending?.reject(new WorkerJobError(pending.job, `worker crashed: ${err.message}`));
      if (!this.closed) this.dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.slots.includes(slot)) fail(new Error(`exited with code ${code}`));
    });
    this.slots.push(slot);
    return slot;
  }
}

const clientErrors: Record<string, new (message: string, details?: Record<string, unknown>) => ClientError> = {
  BAD_USER_INPUT: InputError,
  NOT_FOUND: NotFoundError,
  UNAUTHENTICATED: UnauthenticatedError,
  FORBIDDEN: ForbiddenError,
  FAILED_PRECONDITION: PreconditionError,
};

/** A client error thrown in a worker comes back as the same client error; anything else as WorkerJobError. */
function jobError(job: string, message: string, code?: string, details?: Record<string, unknown>): Error {
  const ClientErrorClass = code ? clientErrors[code] : undefined;
  return ClientErrorClass ? new ClientErrorClass(message, details) : new WorkerJobError(job, message, code);
}
