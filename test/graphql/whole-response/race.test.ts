import type { GatewayParts } from '../../../src/server/gateway';
import { gate, waitFor } from '../../helpers/async';
import { DATABASE_KINDS, type DatabaseKind } from '../../helpers/databases';
import { startTestGateway } from '../../helpers/gateway';
import { post } from '../../helpers/http';
import { PLANTED } from '../../helpers/planted-bugs';
import { testPrefix } from '../../helpers/redis';
import { deleteUnderPrefix, sharedRedisEnv, sharedTopologyName } from '../../helpers/shared-topology';

const QUERY = 'query R($id: ID!) { dataset(id: $id) { rowCount statistics { count } } }';

/**
 * The stale-set race on the whole-response path: a request loads old data and is held inside
 * execution; a mutation commits and invalidates; the request then stores its response.
 * Returns [rowCount, count] of the next request and its x-cache.
 */
async function race(kind: DatabaseKind, parts: Partial<GatewayParts> = {}) {
  const prefix = testPrefix();
  const held = gate();
  let reached = false;
  let armed = false;
  const gw = await startTestGateway(kind, { ...sharedRedisEnv(), REDIS_CACHE_PREFIX: prefix }, { parts });
  // The reader is held after its statistics were computed, before anything is stored.
  const datasets = gw.gateway.services.datasets;
  const statistics = datasets.statistics.bind(datasets);
  datasets.statistics = async (dataset) => {
    const computed = await statistics(dataset);
    if (armed) {
      armed = false;
      reached = true;
      await held.promise;
    }
    return computed;
  };
  try {
    const token = await gw.token('writer');
    const id = (await gw.gateway.services.datasets.create('race', 'x\n1\n2\n3', { id: 'writer', role: 'user' })).id;
    await gw.settled();
    armed = true;
    const reader = post(gw.url, { query: QUERY, variables: { id } });
    await waitFor(() => reached, 'the reader to load');
    const mutation = await post(
      gw.url,
      { query: `mutation { appendDatasetRows(id: "${id}", csv: "x\\n4\\n5\\n6") { rowCount } }` },
      { authorization: `Bearer ${token}` },
    );
    expect(mutation.json.data.appendDatasetRows.rowCount).toBe(6);
    held.open();
    const old = await reader;
    expect(old.json.data.dataset.rowCount).toBe(3);
    expect(old.headers.get('x-cache')).toBe('MISS');
    const next = await post(gw.url, { query: QUERY, variables: { id } });
    return { values: [next.json.data.dataset.rowCount, next.json.data.dataset.statistics[0].count], cache: next.headers.get('x-cache') };
  } finally {
    await gw.close();
    await deleteUnderPrefix(prefix);
  }
}

describe.each(DATABASE_KINDS)(`no stale whole responses (%s, real ${sharedTopologyName()})`, (kind) => {
  it('a response computed across a committed mutation is never served afterwards', async () => {
    expect(await race(kind)).toEqual({ values: [6, 6], cache: 'MISS' });
  });
});

describe('the whole-response race test catches the planted bug', () => {
  it('stamping the response with tag versions read after execution serves the old response', async () => {
    expect(await race('postgres', PLANTED['response-versions-read-after-execution'])).toEqual({ values: [3, 3], cache: 'HIT' });
  });
});
