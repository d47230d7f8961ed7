import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';

/** What one case got back. */
export interface Sent {
  status: number;
  code?: string;
  error?: string;
  /** Set when the answer shows what it must not (another user's data, an echoed document…). */
  leak?: string;
}

export interface Case {
  name: string;
  send(url: string, ctx: Record<string, string>): Promise<Sent>;
  expect: {
    status?: number | number[];
    code?: string | string[];
    /** Default 1000 ms. */
    maxMs?: number;
    /** Default 100 ms. */
    maxFreezeMs?: number;
    /** Cache keys one request may add (the documented key budget); rate-limit counters are accounting, not counted. */
    maxKeysAdded?: number;
    /** A refusal that may still write (none so far). */
    writesAllowed?: boolean;
  };
}

async function answer(res: Response): Promise<Sent & { text: string; json?: any }> {
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, code: json?.errors?.[0]?.extensions?.code, text, json };
}

export function raw(url: string, body: string | Uint8Array, headers: Record<string, string> = {}, method = 'POST') {
  return fetch(`${url}/graphql`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body as BodyInit,
    signal: AbortSignal.timeout(10_000),
  }).then(answer);
}

export function gql(url: string, body: unknown, token?: string, headers: Record<string, string> = {}) {
  return raw(url, JSON.stringify(body), { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers });
}

const uuids = (n: number) => Array.from({ length: n }, () => randomUUID());
const refused = (code: string | string[], status: number | number[] = 400) => ({ status, code, maxKeysAdded: 0 });

function b64url(x: unknown): string {
  return Buffer.from(JSON.stringify(x)).toString('base64url');
}

/** A slow client: sends the start of a request and then nothing, for ms; the gateway must stay up and answer others. */
function slowClient(url: string, partial: string, ms: number): Promise<Sent> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.write(partial));
    socket.on('error', () => undefined);
    setTimeout(async () => {
      const other = await fetch(`${url}/healthz`).then(
        (r) => r.status,
        () => 0,
      );
      socket.destroy();
      resolve({ status: other === 200 ? 200 : 0 });
    }, ms);
  });
}

const ADMIN_MUTATIONS = [
  'mutation { invalidateCacheTags(tags: ["Dataset"]) { invalidated } }',
  'mutation { invalidateCachePattern(pattern: "*") { invalidated } }',
  'mutation { clearCache { count } }',
  'mutation { resetCacheStats { hits } }',
];

export const cases: Case[] = [
  // --- The issue's table ---
  {
    name: 'compareModels with 10^5 ids',
    send: (url) => gql(url, { query: 'query($ids: [ID!]!) { compareModels(ids: $ids) { metric } }', variables: { ids: uuids(100_000) } }),
    expect: refused(['BAD_USER_INPUT', 'PAYLOAD_TOO_LARGE'], [400, 413]),
  },
  {
    name: 'compareModels with 20,000 ids',
    send: (url) => gql(url, { query: 'query($ids: [ID!]!) { compareModels(ids: $ids) { metric } }', variables: { ids: uuids(20_000) } }),
    expect: refused(['BAD_USER_INPUT', 'PAYLOAD_TOO_LARGE'], [400, 413]),
  },
  {
    name: '200 aliases of visualization(bins: i)',
    send: (url, c) =>
      gql(url, {
        query: `{ dataset(id: "${c.dataset}") { ${Array.from({ length: 200 }, (_, i) => `v${i}: visualization(kind: HISTOGRAM, column: "a", bins: ${i + 1}) { kind }`).join(' ')} } }`,
      }),
    expect: refused('QUERY_TOO_COMPLEX'),
  },
  {
    name: '10,000 aliases of compareModels, identical arguments',
    send: (url) =>
      gql(url, {
        query: `{ ${Array.from({ length: 10_000 }, (_, i) => `c${i}: compareModels(ids: ["${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}"]) { metric }`).join(' ')} }`,
      }),
    expect: refused(['QUERY_TOO_COMPLEX', 'GRAPHQL_PARSE_FAILED', 'PAYLOAD_TOO_LARGE'], [400, 413]),
  },
  {
    name: 'APQ registration of 20 MB that is not GraphQL (needs edge)',
    send: async (url) => {
      const junk = 'x'.repeat(20 * 1024 * 1024);
      const { createHash } = await import('node:crypto');
      const r = await gql(url, {
        query: junk,
        extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(junk).digest('hex') } },
      });
      return { ...r, leak: r.text.length > 100_000 ? `the refusal echoed ${r.text.length} bytes` : undefined };
    },
    expect: refused(['PAYLOAD_TOO_LARGE', 'BAD_USER_INPUT', 'GRAPHQL_PARSE_FAILED'], [400, 413]),
  },
  {
    name: 'visualization(column: "a,column2=b") then (column: "a", column2: "b") differ',
    send: async (url, c) => {
      const q = (args: string) =>
        gql(url, { query: `{ dataset(id: "${c.dataset}") { visualization(kind: SCATTER, ${args}) { kind column column2 } } }` });
      const first = await q('column: "a,column2=b"');
      const second = await q('column: "a", column2: "b"');
      const v = second.json?.data?.dataset?.visualization;
      return {
        status: second.status,
        code: second.code,
        leak: v && v.column !== 'a' ? `second got the first's answer: ${JSON.stringify(v)}` : first.status >= 500 ? 'first 5xx' : undefined,
      };
    },
    expect: { status: 200 },
  },
  {
    name: 'a 10 MB ID variable',
    send: (url) => gql(url, { query: 'query($id: ID!) { dataset(id: $id) { id } }', variables: { id: 'x'.repeat(10 * 1024 * 1024) } }),
    expect: refused(['BAD_USER_INPUT', 'PAYLOAD_TOO_LARGE'], [400, 413]),
  },
  {
    name: 'a 150 MB anonymous body (needs edge: 413 while streaming)',
    send: (url) => streamBody(url, 150 * 1024 * 1024),
    expect: { status: 413, maxMs: 1000 },
  },
  {
    name: 'createDataset with a 10^5-column header',
    send: (url, c) =>
      gql(
        url,
        {
          query: 'mutation($csv: String!) { createDataset(name: "wide", csv: $csv) { id } }',
          variables: { csv: `${Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',')}\n${'1,'.repeat(99_999)}1` },
        },
        c.bob,
      ),
    // A field error: 200 under application/json, as every BAD_USER_INPUT from a resolver.
    expect: refused(['BAD_USER_INPUT', 'PAYLOAD_TOO_LARGE'], [200, 400, 413]),
  },
  {
    name: 'an EMG CSV with 2 samples is refused at upload',
    send: (url, c) =>
      gql(
        url,
        {
          query: 'mutation($b: String!) { uploadEmgRecording(name: "tiny", format: CSV, contentBase64: $b) { id } }',
          variables: { b: Buffer.from('time,ch1\n0,0.1\n0.001,0.2\n').toString('base64') },
        },
        c.bob,
      ),
    expect: { code: 'BAD_USER_INPUT', maxKeysAdded: 0 },
  },
  {
    name: 'compareModels with 50 unique ids (key budget)',
    send: (url) => gql(url, { query: 'query($ids: [ID!]!) { compareModels(ids: $ids) { metric } }', variables: { ids: uuids(50) } }),
    // Unknown ids: NOT_FOUND. Item 7's bound: the versions a reader must settle before loading
    // (one per id, 50) are created short-lived (60 s, the negative-cache TTL; see the key-budget
    // block below), plus the identity's rate-limit counter when this opens its window.
    expect: { status: [200, 400], code: 'NOT_FOUND', maxKeysAdded: 52 },
  },
  {
    name: 'bob appends to alice’s dataset (ownership)',
    send: (url, c) => gql(url, { query: `mutation { appendDatasetRows(id: "${c.dataset}", csv: "a,b,c\\n1,2,x") { id } }` }, c.bob),
    expect: { code: 'FORBIDDEN' },
  },
  {
    name: 'bob deletes alice’s dataset (ownership)',
    send: (url, c) => gql(url, { query: `mutation { deleteDataset(id: "${c.dataset}") }` }, c.bob),
    expect: { code: 'FORBIDDEN' },
  },
  {
    name: 'introspection is off in production (needs edge)',
    send: (url) => gql(url, { query: '{ __schema { mutationType { fields { name } } } }' }),
    expect: { status: 400 },
  },
  {
    name: 'no "Did you mean" in production (needs edge)',
    send: async (url) => {
      const r = await gql(url, { query: '{ datasetz { id } }' });
      return { ...r, leak: /Did you mean/.test(r.text) ? 'suggestion in the error' : undefined };
    },
    expect: { status: 400 },
  },
  {
    name: 'text/plain; x=application/json is 415 (needs edge)',
    send: (url) => raw(url, '{"query":"{ datasets { id } }"}', { 'content-type': 'text/plain; x=application/json' }),
    expect: { status: 415 },
  },
  {
    name: 'variables: [] is refused (needs edge)',
    send: (url) => gql(url, { query: '{ datasets { id } }', variables: [] }),
    expect: { status: 400 },
  },
  {
    name: 'a token without exp is refused (needs edge)',
    send: async (url, c) => {
      const { SignJWT } = await import('jose');
      const t = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('root').sign(new TextEncoder().encode(c.SECRET));
      return gql(url, { query: '{ cacheStats { hits } }' }, t);
    },
    // application/json clients get the code with 200 (GraphQL over HTTP's legacy rule, README
    // "Frontends"); application/graphql-response+json ones get 401.
    expect: { status: [200, 401], code: 'UNAUTHENTICATED' },
  },
  // --- The usual list ---
  { name: 'empty body', send: (url) => raw(url, ''), expect: { status: 400, maxKeysAdded: 0 } },
  { name: 'truncated JSON', send: (url) => raw(url, '{"query": "{ datasets { id'), expect: { status: 400, maxKeysAdded: 0 } },
  { name: 'not JSON', send: (url) => raw(url, 'hello'), expect: { status: 400, maxKeysAdded: 0 } },
  { name: 'query is a number', send: (url) => gql(url, { query: 42 }), expect: { status: 400, maxKeysAdded: 0 } },
  { name: 'syntax error', send: (url) => gql(url, { query: '{ datasets { id }' }), expect: refused('GRAPHQL_PARSE_FAILED') },
  {
    name: 'token bomb: 100,000 tokens',
    send: (url) => gql(url, { query: `{ datasets { ${'id '.repeat(100_000)} } }` }),
    expect: refused(['GRAPHQL_PARSE_FAILED', 'QUERY_TOO_COMPLEX']),
  },
  {
    name: 'depth 1,000',
    send: (url) => gql(url, { query: `{ datasets { ${'modelRuns { dataset { '.repeat(500)} id ${'} } '.repeat(500)} } }` }),
    expect: refused(['QUERY_TOO_COMPLEX', 'GRAPHQL_PARSE_FAILED']),
  },
  {
    name: 'repeated fields x 3,000',
    send: (url) => gql(url, { query: `{ datasets { ${'id '.repeat(3000)} } }` }),
    expect: refused('QUERY_TOO_COMPLEX'),
  },
  {
    name: '@include x 10,000',
    send: (url) => gql(url, { query: `{ datasets { id ${'@include(if: true) '.repeat(10_000)} } }` }),
    expect: refused(['QUERY_TOO_COMPLEX', 'GRAPHQL_PARSE_FAILED']),
  },
  {
    name: 'circular fragments',
    send: (url) =>
      gql(url, { query: '{ datasets { ...A } } fragment A on Dataset { modelRuns { dataset { ...B } } } fragment B on Dataset { ...A }' }),
    expect: refused('GRAPHQL_VALIDATION_FAILED'),
  },
  {
    name: 'fragment fan-out (each fragment spreads the next 10 times)',
    send: (url) =>
      gql(url, {
        query: `{ datasets { ...F0 } } ${Array.from({ length: 8 }, (_, i) => `fragment F${i} on Dataset { ${Array.from({ length: 10 }, () => `...F${i + 1}`).join(' ')} }`).join(' ')} fragment F8 on Dataset { id }`,
      }),
    expect: refused('QUERY_TOO_COMPLEX'),
  },
  {
    name: 'a batch',
    send: (url) => gql(url, [{ query: '{ datasets { id } }' }, { query: '{ datasets { id } }' }]),
    expect: { status: 400, maxKeysAdded: 0 },
  },
  {
    name: 'two operations without operationName',
    send: (url) => gql(url, { query: 'query A { datasets { id } } query B { datasets { name } }' }),
    expect: { status: 400, maxKeysAdded: 0 },
  },
  {
    name: 'key-order variants share one entry',
    send: async (url, c) => {
      const a = await gql(url, { query: `{ dataset(id: "${c.dataset}") { visualization(kind: HISTOGRAM, column: "a", bins: 7) { kind } } }` });
      const b = await gql(url, { query: `{ dataset(id: "${c.dataset}") { visualization(bins: 7, column: "a", kind: HISTOGRAM) { kind } } }` });
      return { status: b.status, code: b.code, leak: a.status !== 200 ? `first ${a.status}` : undefined };
    },
    expect: { status: 200, maxKeysAdded: 12 },
  },
  ...['\u0000', '\r\n', '*?[]', 'é🙂🙂', 'x'.repeat(1024 * 1024)].map((s): Case => ({
    name: `argument ${JSON.stringify(s.slice(0, 8))}${s.length > 8 ? `… (${s.length} chars)` : ''}`,
    send: (url, c) =>
      gql(url, {
        query: 'query($c: String!) { dataset(id: "' + c.dataset + '") { visualization(kind: HISTOGRAM, column: $c) { kind } } }',
        variables: { c: s },
      }),
    // A 1 MiB string makes the body larger than BODY_LIMIT_BYTES: refused while it streams.
    expect: { status: [200, 400, 413], code: ['BAD_USER_INPUT', 'PAYLOAD_TOO_LARGE'], maxKeysAdded: 0 },
  })),
  {
    name: '__proto__ and constructor.prototype in body and variables',
    send: (url) =>
      raw(
        url,
        '{"query":"query($i: ID!) { dataset(id: $i) { id } }","variables":{"i":"1","__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}},"__proto__":{"x":1}}',
      ),
    expect: { status: [200, 400] },
  },
  ...(['none', 'user', 'expired', 'forged', 'alg-none', 'wrong-case'] as const).flatMap((who) =>
    ADMIN_MUTATIONS.slice(0, 2).map((m): Case => ({
      name: `admin ${m.slice(11, 30)}… as ${who}`,
      send: async (url, c) => {
        let token: string | undefined;
        if (who === 'user') token = c.bob;
        if (who === 'expired') token = c.expired;
        if (who === 'forged') token = `${c.admin.split('.').slice(0, 2).join('.')}.${Buffer.from('forged').toString('base64url')}`;
        if (who === 'alg-none') token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'root', role: 'admin', exp: 9e9 })}.`;
        if (who === 'wrong-case') {
          const { SignJWT } = await import('jose');
          token = await new SignJWT({ role: 'Admin' })
            .setProtectedHeader({ alg: 'HS256' })
            .setSubject('root')
            .setExpirationTime('1h')
            .sign(new TextEncoder().encode(c.SECRET));
        }
        return gql(url, { query: m }, token);
      },
      expect: { code: ['UNAUTHENTICATED', 'FORBIDDEN'], maxKeysAdded: 0 },
    })),
  ),
  {
    name: 'PRIVATE myProgress across users',
    send: async (url, c) => {
      await gql(url, { query: 'mutation { completeProgressStep(step: "upload") { completedCount } }' }, c.alice);
      const a = await gql(url, { query: '{ myProgress { userId completedCount } }' }, c.alice);
      const b = await gql(url, { query: '{ myProgress { userId completedCount } }' }, c.bob);
      const anon = await gql(url, { query: '{ myProgress { userId completedCount } }' });
      // Compared by userId: with SEED=0 there are no steps, so both counts are 0 whoever answers.
      const leak =
        b.json?.data?.myProgress?.userId !== 'bob' || a.json?.data?.myProgress?.userId !== 'alice'
          ? `bob saw ${b.json?.data?.myProgress?.userId ?? 'nothing'}, alice saw ${a.json?.data?.myProgress?.userId ?? 'nothing'}`
          : anon.json?.data?.myProgress
            ? 'anonymous saw progress'
            : undefined;
      return { status: b.status, code: b.code, leak };
    },
    expect: { status: 200 },
  },
  {
    name: 'admin glob that tries to leave the prefix',
    send: async (url, c) => {
      const r = await gql(url, { query: 'mutation { invalidateCachePattern(pattern: "../*", dryRun: true) { invalidated } }' }, c.admin);
      return { ...r, code: r.code ?? 'OK' };
    },
    expect: { status: [200, 400], maxKeysAdded: 0 },
  },
  {
    name: 'invalidateTags with 10^5 tags',
    send: (url, c) =>
      gql(
        url,
        {
          query: 'mutation($t: [String!]!) { invalidateCacheTags(tags: $t) { invalidated } }',
          variables: { t: Array.from({ length: 100_000 }, (_, i) => `Dataset:${i}`) },
        },
        c.admin,
      ),
    expect: refused(['BAD_USER_INPUT', 'PAYLOAD_TOO_LARGE'], [400, 413]),
  },
  {
    name: 'APQ hash mismatch',
    send: (url) => gql(url, { query: '{ datasets { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }),
    expect: refused('PERSISTED_QUERY_HASH_MISMATCH'),
  },
  {
    name: 'APQ race: 20 registrations and lookups at once',
    send: async (url) => {
      const { createHash } = await import('node:crypto');
      const q = '{ datasets(limit: 3) { id } }';
      const h = createHash('sha256').update(q).digest('hex');
      const all = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          gql(
            url,
            i % 2
              ? { query: q, extensions: { persistedQuery: { version: 1, sha256Hash: h } } }
              : { extensions: { persistedQuery: { version: 1, sha256Hash: h } } },
          ),
        ),
      );
      const bad = all.find((r) => r.status >= 500);
      return { status: bad ? bad.status : 200 };
    },
    expect: { status: 200, maxMs: 2000 },
  },
  {
    name: 'garbage C3D upload',
    send: (url, c) =>
      gql(
        url,
        {
          query: 'mutation($b: String!) { uploadEmgRecording(name: "junk", format: C3D, contentBase64: $b) { id } }',
          variables: { b: Buffer.alloc(4096, 7).toString('base64') },
        },
        c.bob,
      ),
    expect: { code: 'BAD_USER_INPUT', maxKeysAdded: 0 },
  },
  {
    name: 'truncated CSV upload',
    send: (url, c) =>
      gql(url, { query: 'mutation($csv: String!) { createDataset(name: "cut", csv: $csv) { id } }', variables: { csv: 'a,b,c\n1,2' } }, c.bob),
    expect: { code: 'BAD_USER_INPUT', maxKeysAdded: 0 },
  },
  {
    name: 'slow-header client (2 s)',
    send: (url) => slowClient(url, 'POST /graphql HTTP/1.1\r\nHost: x\r\n', 2000),
    expect: { status: 200, maxMs: 3000 },
  },
  {
    name: 'slow-body client (2 s)',
    send: (url) =>
      slowClient(url, 'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":', 2000),
    expect: { status: 200, maxMs: 3000 },
  },
  {
    name: 'cache-busting flood: 300 distinct bins and ids',
    send: async (url, c) => {
      let worst = 200;
      for (let i = 0; i < 300; i += 30) {
        const batch = await Promise.all(
          Array.from({ length: 30 }, (_, j) =>
            gql(url, {
              query: `{ dataset(id: "${c.dataset}") { visualization(kind: HISTOGRAM, column: "a", bins: ${((i + j) % 200) + 1}) { kind } } }`,
            }),
          ),
        );
        for (const r of batch) if (r.status >= 500) worst = r.status;
      }
      return { status: worst };
    },
    // Rate limits (item 3) should refuse part of it; until then it is measured, not bounded.
    expect: { status: [200, 429], maxMs: 30_000, maxFreezeMs: 250 },
  },
  ...abuseCases(),
];

// --- Rate limits, caller-sized bodies, key budget (issue 16 items 3, 4, 7; branch wip/abuse) ---
// Kept in a block of its own: the ownership and data-shape cases are added by another branch.

/**
 * A document the limits allow that is charged about 3,600 points (300 model runs' metrics and
 * feature importance) but computes almost nothing: alice's dataset has no runs. A flood of it
 * spends the budget in a few dozen requests without loading the machine.
 */
const costly = (dataset: string) => ({
  query: `{ dataset(id: "${dataset}") { modelRuns(limit: 300) { metrics { accuracy } featureImportance { feature } } } }`,
});

function abuseCases(): Case[] {
  const flooder = { current: '' };
  return [
    {
      name: 'rate-limit flood: one user loops a max-cost query with no-cache until 429',
      send: async (url, c) => {
        flooder.current = c.flooder;
        let last: Awaited<ReturnType<typeof gql>> | undefined;
        for (let i = 0; i < 100; i++) {
          last = await gql(url, costly(c.dataset), c.flooder, { 'cache-control': 'no-cache' });
          if (last.status !== 200) break;
        }
        const rateLimit = last?.json?.errors?.[0]?.extensions?.rateLimit;
        return {
          status: last?.status ?? 0,
          code: last?.code,
          leak:
            last?.status === 429 && !(rateLimit && rateLimit.limit > 0 && typeof rateLimit.remaining === 'number' && rateLimit.resetAt)
              ? `429 without limit/remaining/resetAt: ${last.text.slice(0, 200)}`
              : undefined,
        };
      },
      // The requests let through before the refusal write what they compute; the next case
      // checks that a refusal itself writes nothing.
      expect: { status: 429, code: 'RATE_LIMITED', maxMs: 20_000, writesAllowed: true },
    },
    {
      name: 'an identity out of points is refused with nothing written',
      send: async (url, c) => {
        const r = await raw(url, JSON.stringify(costly(c.dataset)), {
          authorization: `Bearer ${flooder.current}`,
          'cache-control': 'no-cache',
        });
        return { ...r, leak: r.status === 429 && !r.json?.errors ? 'no GraphQL error body' : undefined };
      },
      expect: { status: 429, code: 'RATE_LIMITED', maxKeysAdded: 0 },
    },
    {
      name: 'a 150 MB body with a forged token: 413 while streaming',
      send: (url) => streamBody(url, 150 * 1024 * 1024, { authorization: `Bearer ${forgedToken()}` }),
      expect: { status: 413, code: 'PAYLOAD_TOO_LARGE', maxMs: 1000 },
    },
    {
      name: 'a 150 MB body with an expired token: 413 while streaming',
      send: (url, c) => streamBody(url, 150 * 1024 * 1024, { authorization: `Bearer ${c.expired}` }),
      expect: { status: 413, code: 'PAYLOAD_TOO_LARGE', maxMs: 1000 },
    },
    {
      name: 'a user query of 2 MiB (variables) is refused, never executed',
      send: (url, c) => gql(url, { query: 'query($x: String) { datasets { id } }', variables: { x: 'a'.repeat(2 * 1024 * 1024) } }, c.alice),
      expect: refused('PAYLOAD_TOO_LARGE', 413),
    },
    {
      name: 'key budget: 10 lookups of 50 unknown ids each stay within the documented bound',
      send: async (url) => {
        let worst = 200;
        for (let i = 0; i < 10; i++) {
          const r = await gql(url, { query: 'query($ids: [ID!]!) { compareModels(ids: $ids) { metric } }', variables: { ids: uuids(50) } });
          if (r.status >= 500) worst = r.status;
        }
        return { status: worst };
      },
      // 50 short-lived versions per request (CACHE_MAX_KEYS_PER_REQUEST bounds any one request at
      // 500), and the anonymous caller's rate-limit counter when a new window opens meanwhile.
      expect: { status: 200, maxMs: 5000, maxKeysAdded: 10 * 50 + 1 },
    },
  ];
}

/**
 * Streams a body of `bytes` spaces in 1 MiB chunks (no declared length, as a client that lies
 * about nothing), and resolves with the answer as soon as it comes: a gateway that refuses while
 * streaming answers long before the end. Sent with node:http rather than fetch, whose client
 * reports a refusal before the end of the body as a failure and spends its own event loop on it.
 */
function streamBody(url: string, bytes: number, headers: Record<string, string> = {}): Promise<Sent> {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  return new Promise((resolve) => {
    let sent = 0;
    let answered = false;
    const req = request(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      answered = true;
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        req.destroy();
        let code: string | undefined;
        try {
          code = JSON.parse(text)?.errors?.[0]?.extensions?.code;
        } catch {
          code = undefined;
        }
        resolve({ status: res.statusCode ?? 0, code, leak: sent >= bytes ? 'answered only after the whole body was sent' : undefined });
      });
    });
    req.on('error', (err) => {
      if (!answered) resolve({ status: 0, error: err.message });
    });
    const pump = () => {
      while (!answered && sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** A token signed with a secret that is not the gateway's (alg HS256, a plausible payload). */
function forgedToken(): string {
  const head = b64url({ alg: 'HS256', typ: 'JWT' });
  const body = b64url({ sub: 'mallory', role: 'admin', exp: Math.floor(Date.now() / 1000) + 3600 });
  return `${head}.${body}.${Buffer.from('not-a-signature-of-ours').toString('base64url')}`;
}
