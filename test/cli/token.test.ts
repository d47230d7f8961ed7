import { spawn } from 'node:child_process';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { authenticate } from '../../src/server/auth';
import { TEST_JWT_SECRET } from '../helpers/gateway';

const ROOT = path.join(__dirname, '..', '..');

/** Runs `npm run token` as a user does: the script through tsx (no build needed). */
function token(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'src/cli/token.ts'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', JWT_SECRET: TEST_JWT_SECRET, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run token', () => {
  it('--help documents every option, --expires among them, and exits 0', async () => {
    const r = await token(['--help']);
    expect(r.code).toBe(0);
    for (const option of ['--user', '--role', '--expires', '--help']) expect(r.stdout).toContain(option);
    expect(r.stdout).toMatch(/--expires PERIOD .*12h/);
    expect(r.stdout).toContain('default 12h');
  });

  it('--expires sets the expiry: 30m is half an hour from now, and the gateway accepts the token', async () => {
    const r = await token(['--user', 'alice', '--role', 'admin', '--expires', '30m']);
    expect(r.code).toBe(0);
    const jwt = r.stdout.trim();
    const claims = decodeJwt(jwt);
    expect(claims.exp! - claims.iat!).toBe(30 * 60);
    expect(claims).toMatchObject({ sub: 'alice', role: 'admin' });
    await expect(authenticate(`Bearer ${jwt}`, TEST_JWT_SECRET, { requireExp: true })).resolves.toEqual({ id: 'alice', role: 'admin' });
  });

  it('without --expires the token lasts 12 hours', async () => {
    const claims = decodeJwt((await token([])).stdout.trim());
    expect(claims.exp! - claims.iat!).toBe(12 * 3600);
    expect(claims.sub).toBe('dev');
  });

  it('a bad --expires, role or option is a usage error: exit 2, the reason and the usage on stderr, no token', async () => {
    for (const args of [['--expires', 'soon'], ['--expires', '10 fortnights'], ['--role', 'root'], ['--frobnicate']]) {
      const r = await token(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^token: /);
      expect(r.stderr).toContain('usage: npm run token');
    }
  });
});
