import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { keyHash } from '../../src/cache/keys';
import { componentLogger, createLogger, resolveLogFormat } from '../../src/logger';
import { DatasetStatisticsDocument } from '../generated/graphql';
import { createDataset } from '../helpers/datasets';
import { startTestGateway, TEST_JWT_SECRET, type TestGateway } from '../helpers/gateway';
import { deletePrefix, freePort, keysUnder, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'main.js');

/** A destination that keeps what it is given, as text. */
class Sink extends Writable {
  text = '';
  _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

/** The top-level keys of a JSON object's text, in order, duplicates kept (JSON.parse would keep only the last). */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const ch = json[i];
    if (ch === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1 && json[j + 1] === ':') keys.push(json.slice(i + 1, j));
      i = j;
    } else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
  }
  return keys;
}

describe('log format', () => {
  it('is readable lines at a terminal in development and JSON in production or when piped; LOG_FORMAT forces one', () => {
    expect(resolveLogFormat('auto', false, true)).toBe('pretty');
    expect(resolveLogFormat('auto', false, false)).toBe('json');
    expect(resolveLogFormat('auto', true, true)).toBe('json');
    expect(resolveLogFormat('json', false, true)).toBe('json');
    expect(resolveLogFormat('pretty', true, false)).toBe('pretty');
  });

  it('writes one readable line per event in pretty format, with the fields after the message', () => {
    const sink = new Sink();
    createLogger('info', { format: 'pretty', destination: sink }).info({ backend: 'redis' }, 'cache ready');
    expect(sink.text).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: cache ready \{"backend":"redis"\}\n$/);
  });

  it('names a part inside a component without a second "component" key in the line', () => {
    const sink = new Sink();
    const domains = createLogger('info', { destination: sink }).child({ component: 'domains' });
    componentLogger(domains, 'model-trainer').child({ modelRun: 'r1' }).info('training');
    const line = sink.text.trim();
    expect(topLevelKeys(line).filter((k) => k === 'component')).toHaveLength(1);
    expect(JSON.parse(line)).toMatchObject({ component: 'domains', part: 'model-trainer', modelRun: 'r1' });
    // The top-level logger has no component yet: the first level names it.
    const top = new Sink();
    componentLogger(createLogger('info', { destination: top }), 'cache').info('x');
    expect(JSON.parse(top.text)).toMatchObject({ component: 'cache' });
  });
});

describe('the gateway at a terminal', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cachegate-logs-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints the README’s startup banner word for word on a readable line when stdout is a TTY in development', async () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const banner = /^(cachegate ready: .*)$/m.exec(readme)![1];
    expect(banner).toBe('cachegate ready: GraphQL at http://localhost:4000/graphql, GraphiQL at http://localhost:4000/graphiql');
    const port = await freePort();
    // script(1) gives the gateway a pseudo-terminal, as a person's shell would.
    const child = spawn('script', ['-qfec', `${process.execPath} ${MAIN}`, '/dev/null'], {
      env: {
        PATH: process.env.PATH,
        TERM: 'dumb',
        NODE_ENV: 'development',
        JWT_SECRET: TEST_JWT_SECRET,
        PORT: String(port),
        SEED: '0',
        DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner in 60 s:\n${out}`)), 60_000);
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('graphiql')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    try {
      await ready;
    } finally {
      child.kill('SIGTERM');
    }
    // eslint-disable-next-line no-control-regex
    const plain = out.replace(/\u001b\[[0-9;]*m/g, '').replace(/\r/g, '');
    const expected = banner.replaceAll('4000', String(port));
    expect(plain).toMatch(new RegExp(`^\\[\\d\\d:\\d\\d:\\d\\d\\] INFO: ${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    expect(plain).not.toContain('{"level"');
  });
});

describe('whole-response cache lines', () => {
  const prefix = testPrefix();
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway(
      'postgres',
      { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, CACHE_L1_MAX_BYTES: '0' },
      { captureLogs: true },
    );
  });
  afterAll(async () => {
    await gw?.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  it('carry the operation’s row and the key’s hash like the field lines, and no line repeats a key', async () => {
    const id = await createDataset(gw, await gw.token('alice'), 'numbers');
    await gw.gql(DatasetStatisticsDocument, { id });
    await gw.gql(DatasetStatisticsDocument, { id });
    const [key] = (await keysUnder(SHARED_REDIS_URL, prefix)).filter((k) => k.split(':')[2] === 'r');
    const lines = gw.logs.find(/^cache (hit|miss)$/).filter((l) => l.coordinate === '(whole response) DatasetStatistics');
    expect(lines.map((l) => [l.msg, l.key])).toEqual([
      ['cache miss', keyHash(key)],
      ['cache hit', keyHash(key)],
    ]);
    for (const raw of gw.logs.raw) expect(new Set(topLevelKeys(raw)).size).toBe(topLevelKeys(raw).length);
  });
});
