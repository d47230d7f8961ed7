import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { TEST_JWT_SECRET } from './gateway';

const MAIN = path.join(__dirname, '..', '..', 'dist', 'src', 'main.js');

export interface GatewayProcess {
  url: string;
  pid: number;
  /** Log lines the process printed so far (JSON unless LOG_FORMAT says otherwise). */
  logs: string[];
  /** Resolves with the exit code (null after a signal) when the process ends, however it ends. */
  exited: Promise<number | null>;
  /** Sends SIGTERM and resolves with the exit code once the process is gone. */
  stop(): Promise<number | null>;
}

/** Starts the compiled gateway (npm test builds it first) as a process of its own on a free port. */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, PORT: '0', SEED: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const errors: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => errors.push(l));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running: the caller never learns its URL, so it could not stop it.
      child.kill('SIGKILL');
      reject(new Error(`gateway process did not start: ${errors.join('\n')}`));
    }, 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line);
      // The banner (JSON or a readable line): the port is in its URL.
      const m = /cachegate ready: GraphQL at http:\/\/localhost:(\d+)\/graphql/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`gateway process exited with ${code}: ${errors.join('\n')}`)));
  });
  const exited = child.exitCode !== null ? Promise.resolve(child.exitCode) : once(child, 'exit').then(([code]) => code as number | null);
  return {
    url: `http://127.0.0.1:${port}`,
    exited,
    pid: child.pid!,
    logs,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      return code as number | null;
    },
  };
}
