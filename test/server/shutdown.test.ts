import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGatewayProcess } from '../helpers/gateway-process';

describe('the gateway process', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cachegate-shutdown-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('stops cleanly on SIGTERM outside test mode, where Apollo would install signal handlers of its own', async () => {
    const gateway = await startGatewayProcess({ NODE_ENV: 'development', DATA_DIR: dataDir });
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    expect(await gateway.stop()).toBe(0);
    expect(gateway.logs.some((l) => l.includes('"msg":"shutting down"'))).toBe(true);
  });
});
