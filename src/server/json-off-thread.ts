import { Worker } from 'node:worker_threads';

/** What a large body held, decided off the event loop. */
export type LargeBody =
  | { kind: 'parsed'; value: unknown }
  /** Not JSON: a 400, as for any body. */
  | { kind: 'invalid' }
  /** Names no mutation: only mutations (uploads) may be this large, so it is refused without being handed back. */
  | { kind: 'not-a-mutation' };

// Plain JavaScript, run as the worker's script: JSON.parse of a body of megabytes takes the
// event loop for as long, which is the freeze an attacker with a token would buy.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, bytes }) => {
  let value;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return parentPort.postMessage({ id, result: { kind: 'invalid' } });
  }
  const query = value && typeof value === 'object' ? value.query : undefined;
  // A cheap look, not the check: HTTP refuses a large body that is no mutation once planned;
  // this only keeps a large query's variables from being copied back at all.
  if (typeof query === 'string' && !/\\bmutation\\b/.test(query)) return parentPort.postMessage({ id, result: { kind: 'not-a-mutation' } });
  parentPort.postMessage({ id, result: { kind: 'parsed', value } });
});
`;

/**
 * Parses request bodies larger than BODY_LIMIT_BYTES (only a verified caller may send one: an
 * upload) in a worker thread of their own, so oversized variables never reach JSON.parse on the
 * event loop. The bytes are handed over without a copy; the worker starts on first use, one at
 * a time, and never keeps the process alive.
 */
export class OffThreadJson {
  private worker?: Worker;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (r: LargeBody) => void; reject: (e: Error) => void }>();

  parse(body: Buffer): Promise<LargeBody> {
    const worker = this.start();
    const id = this.next++;
    // Transferred, not copied, when the body owns its memory; a slice of a larger buffer is copied first.
    const owns = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    const bytes = owns ? new Uint8Array(body.buffer, 0, body.byteLength) : Uint8Array.from(body);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, bytes }, [bytes.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', ({ id, result }: { id: number; result: LargeBody }) => {
      this.pending.get(id)?.resolve(result);
      this.pending.delete(id);
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error('the JSON worker stopped'));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
