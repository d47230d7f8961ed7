import type { GatewayParts } from '../../src/server/gateway';
import { AppendDatasetRowsDocument, CreateDatasetDocument, DatasetStatisticsDocument } from '../generated/graphql';
import { gate, waitFor } from '../helpers/async';
import { DATABASE_KINDS, type DatabaseKind } from '../helpers/databases';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { PLANTED } from '../helpers/planted-bugs';
import { testPrefix } from '../helpers/redis';
import { deleteUnderPrefix, sharedRedisEnv, sharedTopologyName } from '../helpers/shared-topology';

/**
 * The stale-set race through the whole stack (GraphQL, PostgreSQL or PGlite, real Redis),
 * made deterministic with pause points. Each scenario returns the row count the next read
 * after the mutation reports: 6 is fresh, 3 is the stale value the race would leave behind.
 */
const CSV = 'x\n1\n2\n3';
const MORE = 'x\n4\n5\n6';

type Parts = Partial<GatewayParts>;

/**
 * A gateway whose dataset service pauses where the race needs it: after statistics were
 * computed (before the cache stores them), and before an append writes.
 */
async function withGateway<T>(kind: DatabaseKind, parts: Parts, run: (gw: TestGateway, pauses: Pauses) => Promise<T>): Promise<T> {
  const prefix = testPrefix();
  const pauses = new Pauses();
  const gw = await startTestGateway(kind, { ...sharedRedisEnv(), REDIS_CACHE_PREFIX: prefix }, { parts });
  const datasets = gw.gateway.services.datasets;
  const statistics = datasets.statistics.bind(datasets);
  const append = datasets.append.bind(datasets);
  datasets.statistics = async (dataset) => {
    const computed = await statistics(dataset);
    await pauses.at('reader-loaded');
    return computed;
  };
  datasets.append = async (id, csv, user) => {
    await pauses.at('writer-before-write');
    return append(id, csv, user);
  };
  try {
    return await run(gw, pauses);
  } finally {
    await gw.close();
    await deleteUnderPrefix(prefix);
  }
}

/** Named pause points: a test arms one, waits until something reaches it, then releases it. */
class Pauses {
  private armed = new Map<string, { gate: ReturnType<typeof gate>; reached: boolean }>();
  arm(name: string) {
    const entry = { gate: gate(), reached: false };
    this.armed.set(name, entry);
    return {
      reached: () => waitFor(() => entry.reached, name),
      release: () => {
        this.armed.delete(name);
        entry.gate.open();
      },
    };
  }
  async at(name: string): Promise<void> {
    const entry = this.armed.get(name);
    if (!entry) return;
    entry.reached = true;
    await entry.gate.promise;
  }
}

const countOf = (r: Awaited<ReturnType<TestGateway['gql']>>) => (r.data as any)?.dataset?.statistics?.[0]?.count as number;

/** A: the reader loads old rows and is held; the mutation commits and invalidates; the reader stores. */
function readerHeldAcrossMutation(kind: DatabaseKind, parts: Parts = {}) {
  return withGateway(kind, parts, async (gw, pauses) => {
    const token = await gw.token('writer');
    const id = (await gw.gql(CreateDatasetDocument, { name: 'race', csv: CSV }, { token })).data!.createDataset.id;
    const held = pauses.arm('reader-loaded');
    const reader = gw.gql(DatasetStatisticsDocument, { id });
    await held.reached();
    const appended = await gw.gql(AppendDatasetRowsDocument, { id, csv: MORE }, { token });
    expect(appended.data?.appendDatasetRows.rowCount).toBe(6);
    held.release();
    expect(countOf(await reader)).toBe(3);
    return countOf(await gw.gql(DatasetStatisticsDocument, { id }));
  });
}

/** B: the mutation is held before its write; a reader loads and stores meanwhile; the mutation then commits. */
function readerBetweenInvalidationAndCommit(kind: DatabaseKind, parts: Parts = {}) {
  return withGateway(kind, parts, async (gw, pauses) => {
    const token = await gw.token('writer');
    const id = (await gw.gql(CreateDatasetDocument, { name: 'race', csv: CSV }, { token })).data!.createDataset.id;
    const held = pauses.arm('writer-before-write');
    const writer = gw.gql(AppendDatasetRowsDocument, { id, csv: MORE }, { token });
    await held.reached();
    expect(countOf(await gw.gql(DatasetStatisticsDocument, { id }))).toBe(3);
    held.release();
    expect((await writer).data?.appendDatasetRows.rowCount).toBe(6);
    return countOf(await gw.gql(DatasetStatisticsDocument, { id }));
  });
}

describe.each(DATABASE_KINDS)(`no stale sets (%s, real ${sharedTopologyName()})`, (kind) => {
  it('a reader held across a committed mutation cannot leave old data behind', async () => {
    expect(await readerHeldAcrossMutation(kind)).toBe(6);
  });

  it('a reader that runs while a mutation is writing cannot leave old data behind', async () => {
    expect(await readerBetweenInvalidationAndCommit(kind)).toBe(6);
  });
});

describe('the race test catches the classic bugs when they are planted', () => {
  it('reading tag versions after loading leaves stale data (scenario A)', async () => {
    expect(await readerHeldAcrossMutation('postgres', PLANTED['versions-read-after-load'])).toBe(3);
  });

  it('invalidating before the commit leaves stale data (scenario B)', async () => {
    expect(await readerBetweenInvalidationAndCommit('postgres', PLANTED['invalidate-before-write'])).toBe(3);
  });
});
