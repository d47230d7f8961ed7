import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt, SignJWT } from 'jose';
import { ConfigError, loadConfig } from '../../src/config';
import { signToken } from '../../src/server/auth';
import { DatasetsDocument, MyProgressDocument, UserProgressDocument } from '../generated/graphql';
import { DATABASE_KINDS } from '../helpers/databases';
import { codes, startTestGateway, TEST_JWT_SECRET, type TestGateway } from '../helpers/gateway';

const PROJECT_ROOT = path.join(__dirname, '..', '..');
const secretKey = (secret: string) => new TextEncoder().encode(secret);
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Tokens that must each be refused, signed (unless forged) with the gateway's own secret. */
async function badTokens(): Promise<Array<[string, string]>> {
  const key = secretKey(TEST_JWT_SECRET);
  return [
    [
      'an expired token',
      await new SignJWT({ role: 'admin' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('alice')
        .setIssuedAt(nowSeconds() - 7200)
        .setExpirationTime(nowSeconds() - 3600)
        .sign(key),
    ],
    ['a token signed with another secret', await signToken('not-the-gateway-secret-0123456789', { id: 'mallory', role: 'admin' })],
    [
      'a token with an unknown role',
      await new SignJWT({ role: 'superuser' }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime('1h').sign(key),
    ],
    ['a token without a role', await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime('1h').sign(key)],
    ['a token without a subject', await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key)],
    [
      'a token with an empty subject',
      await new SignJWT({ role: 'user' }).setProtectedHeader({ alg: 'HS256' }).setSubject('').setExpirationTime('1h').sign(key),
    ],
    ['a token without an expiry (exp)', await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').sign(key)],
    [
      'an unsigned token (alg none)',
      `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'alice', role: 'admin', exp: nowSeconds() + 3600 })).toString('base64url')}.`,
    ],
    ['a token that is not a JWT', 'definitely-not-a-jwt'],
  ];
}

const MALFORMED_HEADERS = ['Bearer', 'Bearer ', 'Basic YWxpY2U6c2VjcmV0', 'Token abc.def.ghi', 'Bearer one two', 'abc.def.ghi'];

/** Runs the token script as a developer would (npm run token -- --user alice --role admin) and returns what it printed. */
async function runTokenScript(env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await promisify(execFile)('npx', ['tsx', 'src/cli/token.ts', '--user', 'alice', '--role', 'admin'], {
    cwd: PROJECT_ROOT,
    env,
    timeout: 60_000,
  });
  const lines = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1] ?? '';
}

describe('settings', () => {
  it('refuses to start in production without JWT_SECRET (ConfigError naming the setting)', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: '' })).toThrow(ConfigError);
  });

  it('refuses a JWT_SECRET shorter than 16 characters', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(ConfigError);
  });

  it('starts in production with a JWT_SECRET, and in development on the development secret', () => {
    const production = loadConfig({ NODE_ENV: 'production', JWT_SECRET: TEST_JWT_SECRET });
    expect(production).toMatchObject({ production: true, JWT_SECRET: TEST_JWT_SECRET, usingDevJwtSecret: false });
    const development = loadConfig({});
    expect(development).toMatchObject({ production: false, usingDevJwtSecret: true });
    expect(development.JWT_SECRET.length).toBeGreaterThanOrEqual(16);
  });
});

// Started once, before any test, and awaited where needed: tsx takes a few seconds to start.
let printed: Promise<string>;
beforeAll(() => {
  printed = runTokenScript({ ...process.env, JWT_SECRET: TEST_JWT_SECRET, NODE_ENV: 'development' });
  printed.catch(() => undefined); // reported by the tests that await it
});

describe('the token script (npm run token -- --user alice --role admin)', () => {
  it('prints one JWT for the user and role asked for', async () => {
    const token = await printed;
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: 'alice', role: 'admin' });
    expect(claims.exp! - nowSeconds()).toBeGreaterThan(3600);
  });
});

describe.each(DATABASE_KINDS)('bearer tokens at the gateway (%s)', (kind) => {
  let gw: TestGateway;
  let bad: Array<[string, string]>;

  beforeAll(async () => {
    gw = await startTestGateway(kind);
    bad = await badTokens();
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('serves public queries without a token and private ones with a valid token', async () => {
    const anonymous = await gw.gql(DatasetsDocument, {});
    expect(anonymous.status).toBe(200);
    expect(anonymous.errors).toBeUndefined();
    const token = await gw.token('carol', 'user');
    const mine = await gw.gql(MyProgressDocument, {}, { token });
    expect(mine.status).toBe(200);
    expect(mine.data!.myProgress.userId).toBe('carol');
    // The gateway's own helper signs with the same secret as above, so a refusal below is the token's fault.
    expect(
      (await gw.gql(UserProgressDocument, { userId: 'x' }, { token: await signToken(TEST_JWT_SECRET, { id: 'root', role: 'admin' }) })).errors,
    ).toBeUndefined();
  });

  it('refuses expired, forged, role-less, subject-less, expiry-less and unsigned tokens with UNAUTHENTICATED, even on public queries', async () => {
    for (const [what, token] of bad) {
      const res = await gw.gql(DatasetsDocument, {}, { token });
      // Plain JSON (no Accept): GraphQL over HTTP answers a well-formed request 200, errors in the body.
      expect({ what, status: res.status, codes: codes(res), data: res.data ?? null }).toEqual({
        what,
        status: 200,
        codes: ['UNAUTHENTICATED'],
        data: null,
      });
    }
  });

  it('says 401 with a WWW-Authenticate challenge to clients that accept application/graphql-response+json, the errors still in the body', async () => {
    const [[, expired]] = bad;
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${expired}` },
      body: JSON.stringify({ query: '{ datasets { id } }' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(codes((await res.json()) as any)).toEqual(['UNAUTHENTICATED']);
  });

  it('accepts the token printed by the token script as admin alice', async () => {
    const token = await printed;
    const admin = await gw.gql(UserProgressDocument, { userId: 'bob' }, { token });
    expect(admin.status).toBe(200);
    expect(admin.errors).toBeUndefined();
    expect(admin.data!.userProgress.userId).toBe('bob');
    const mine = await gw.gql(MyProgressDocument, {}, { token });
    expect(mine.errors).toBeUndefined();
    expect(mine.data!.myProgress.userId).toBe('alice');
  });

  it('explains why a token was refused', async () => {
    const [[, expired]] = bad;
    const res = await gw.gql(MyProgressDocument, {}, { token: expired });
    expect(res.errors![0].message).toMatch(/expired/i);
  });

  it('refuses a malformed Authorization header with UNAUTHENTICATED (HTTP 401 for the GraphQL response type)', async () => {
    for (const authorization of MALFORMED_HEADERS) {
      const res = await gw.gql(DatasetsDocument, {}, { headers: { authorization, accept: 'application/graphql-response+json' } });
      expect({ authorization, status: res.status, codes: codes(res) }).toEqual({ authorization, status: 401, codes: ['UNAUTHENTICATED'] });
    }
  });
});
