import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApolloClient, CombinedGraphQLErrors, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { cacheExchange, Client as UrqlClient, fetchExchange } from '@urql/core';
// @ts-expect-error make-fetch-happen ships no types; it is called as fetch is.
import makeFetchHappen from 'make-fetch-happen';
import { Agent, fetch as undiciFetch, interceptors } from 'undici';
import { sha256 } from '../helpers/encoding';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { post } from '../helpers/http';

/** The user the bearer tokens below name: the owner of the datasets the tests write to. */
const ALICE = { id: 'alice', role: 'user' } as const;

/**
 * The clients a frontend team uses, against a real gateway: Apollo Client 4, urql,
 * graphql-request, and two HTTP caches that behave as a browser's would (undici's cache
 * interceptor as a private cache, make-fetch-happen). What must hold: a read after a write is
 * fresh, and one user's PRIVATE data never reaches another through a cache.
 */

const MY_PROGRESS = gql`
  query MyProgress {
    myProgress {
      id
      completedCount
    }
  }
`;
const COMPLETE = gql`
  mutation Complete($step: String!) {
    completeProgressStep(step: $step) {
      id
      completedCount
    }
  }
`;
const DATASETS = gql`
  query Datasets {
    datasets {
      id
      name
      rowCount
    }
  }
`;

describe('real clients against the gateway', () => {
  let gw: TestGateway;
  let alice: string;
  let bob: string;
  let datasetId: string;
  const endpoint = () => `${gw.url}/graphql`;

  beforeAll(async () => {
    gw = await startTestGateway('postgres');
    await gw.gateway.services.progress.seedSteps();
    alice = await gw.token('alice');
    bob = await gw.token('bob');
    datasetId = (await gw.gateway.services.datasets.create('numbers', 'x\n1\n2\n3', ALICE)).id;
    await gw.settled();
  });
  afterAll(async () => {
    await gw?.close();
  });

  const appendRow = (token: string) =>
    post(gw.url, { query: `mutation { appendDatasetRows(id: "${datasetId}", csv: "x\\n9") { rowCount } }` }, { authorization: `Bearer ${token}` });

  describe('Apollo Client 4', () => {
    /** An Apollo Client over GET with persisted queries, as the README recommends; requests are recorded. */
    function apollo(token?: string) {
      const sent: { method: string; url: string }[] = [];
      const recordingFetch: typeof fetch = (input, init) => {
        sent.push({ method: init?.method ?? 'GET', url: String(input) });
        return fetch(input, init);
      };
      const http = new HttpLink({
        uri: endpoint(),
        fetch: recordingFetch,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      const link = new PersistedQueryLink({ sha256: async (q: string) => sha256(q), useGETForHashedQueries: true }).concat(http);
      return { client: new ApolloClient({ link, cache: new InMemoryCache() }), sent };
    }

    it('runs queries by hash over GET (automatic persisted queries), registering each once', async () => {
      const { client, sent } = apollo();
      const first = await client.query({ query: DATASETS, fetchPolicy: 'network-only' });
      expect((first.data as any).datasets.length).toBeGreaterThan(0);
      const second = await client.query({ query: DATASETS, fetchPolicy: 'network-only' });
      expect(second.data).toEqual(first.data);
      const last = new URL(sent.at(-1)!.url);
      expect(sent.at(-1)!.method).toBe('GET');
      expect(last.searchParams.get('query')).toBeNull();
      expect(JSON.parse(last.searchParams.get('extensions')!).persistedQuery.sha256Hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('normalises a mutation result into a watched query (UserProgress has an id)', async () => {
      const { client } = apollo(alice);
      const seen: number[] = [];
      const watched = client.watchQuery({ query: MY_PROGRESS }).subscribe(({ data }) => {
        if (data) seen.push((data as any).myProgress.completedCount);
      });
      try {
        await waitUntil(() => seen.length > 0);
        const before = seen.at(-1)!;
        await client.mutate({ mutation: COMPLETE, variables: { step: 'browse-datasets' } });
        await waitUntil(() => seen.at(-1) === before + 1);
        expect(seen.at(-1)).toBe(before + 1);
      } finally {
        watched.unsubscribe();
      }
    });

    it('sees fresh data when refetching after a mutation', async () => {
      const { client } = apollo(alice);
      const rows = async () =>
        ((await client.query({ query: DATASETS, fetchPolicy: 'network-only' })).data as any).datasets.find((d: any) => d.id === datasetId).rowCount;
      const before = await rows();
      await appendRow(alice);
      expect(await rows()).toBe(before + 1);
    });

    it('reports a bad token as GraphQL errors with UNAUTHENTICATED, not as a ServerError', async () => {
      const { client } = apollo('not-a-token');
      const error = await client.query({ query: DATASETS, fetchPolicy: 'network-only' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(CombinedGraphQLErrors.is(error)).toBe(true);
      expect((error as CombinedGraphQLErrors).errors[0].extensions?.code).toBe('UNAUTHENTICATED');
    });
  });

  it('urql reads over GET and sees a mutation with a network-only refetch', async () => {
    const client = new UrqlClient({
      url: endpoint(),
      exchanges: [cacheExchange, fetchExchange],
      preferGetMethod: true,
      fetchOptions: { headers: { authorization: `Bearer ${alice}` } },
    });
    const rows = async () =>
      (await client.query(DATASETS, {}, { requestPolicy: 'network-only' }).toPromise()).data.datasets.find((d: any) => d.id === datasetId).rowCount;
    const before = await rows();
    expect((await client.mutation(COMPLETE, { step: 'open-graphiql' }).toPromise()).error).toBeUndefined();
    await appendRow(alice);
    expect(await rows()).toBe(before + 1);
  });

  it('graphql-request reads, and surfaces UNAUTHENTICATED from a bad token', async () => {
    const { GraphQLClient, ClientError } = await import('graphql-request');
    const ok = await new GraphQLClient(endpoint()).request<{ datasets: unknown[] }>(DATASETS);
    expect(ok.datasets.length).toBeGreaterThan(0);
    const refused = await new GraphQLClient(endpoint(), { headers: { authorization: 'Bearer forged' } }).request(DATASETS).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ClientError);
    expect((refused as InstanceType<typeof ClientError>).response.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  /** GETs through an HTTP cache that behaves as a browser's: fresh after writes, never one user's private answer to another. */
  const httpCaches: [string, () => Promise<{ get(url: string, token?: string): Promise<any>; close(): Promise<void> }>][] = [
    [
      "undici's cache interceptor (private)",
      async () => {
        const agent = new Agent().compose(interceptors.cache({ type: 'private' }));
        return {
          get: async (url, token) =>
            (await undiciFetch(url, { dispatcher: agent, headers: token ? { authorization: `Bearer ${token}` } : {} })).json(),
          close: () => agent.close(),
        };
      },
    ],
    [
      'make-fetch-happen',
      async () => {
        const dir = await mkdtemp(path.join(tmpdir(), 'cachegate-mfh-'));
        const cached = makeFetchHappen.defaults({ cachePath: dir });
        return {
          get: async (url, token) => (await cached(url, { headers: token ? { authorization: `Bearer ${token}` } : {} })).json(),
          close: () => rm(dir, { recursive: true, force: true }),
        };
      },
    ],
  ];

  describe.each(httpCaches)('through %s', (_name, open) => {
    const url = (query: string) => `${endpoint()}?${new URLSearchParams({ query })}`;

    it('a read after a mutation is fresh', async () => {
      const cache = await open();
      try {
        const q = url(`{ dataset(id: "${datasetId}") { rowCount statistics { count } } }`);
        const before = (await cache.get(q)).data.dataset;
        expect((await cache.get(q)).data.dataset).toEqual(before);
        await appendRow(alice);
        const after = (await cache.get(q)).data.dataset;
        expect(after.rowCount).toBe(before.rowCount + 1);
        expect(after.statistics[0].count).toBe(before.statistics[0].count + 1);
      } finally {
        await cache.close();
      }
    });

    it("never hands one user's private data to another or to an anonymous request", async () => {
      const cache = await open();
      try {
        const q = url('{ myProgress { id completedCount } }');
        expect((await cache.get(q, alice)).data.myProgress.id).toBe('alice');
        expect((await cache.get(q, alice)).data.myProgress.id).toBe('alice');
        expect((await cache.get(q, bob)).data.myProgress.id).toBe('bob');
        const anonymous = await cache.get(q);
        expect(anonymous.data).toBeNull();
        expect(anonymous.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      } finally {
        await cache.close();
      }
    });
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
