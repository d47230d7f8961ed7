import { Writable } from 'node:stream';

/** A pino destination that keeps every line, parsed. */
export class LogCapture extends Writable {
  readonly lines: Record<string, any>[] = [];
  readonly raw: string[] = [];
  _write(chunk: Buffer, _enc: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      this.raw.push(line);
      this.lines.push(JSON.parse(line));
    }
    done();
  }
  /** Lines whose msg equals (or matches) the given one. */
  find(msg: string | RegExp): Record<string, any>[] {
    return this.lines.filter((l) => (typeof msg === 'string' ? l.msg === msg : msg.test(l.msg)));
  }
}
