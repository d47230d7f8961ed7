import { DatasetStatisticsDocument } from '../generated/graphql';
import { createDataset } from '../helpers/datasets';
import { FIELD_CACHING_ONLY, startTestGateway, type TestGateway } from '../helpers/gateway';
import { deletePrefix, SHARED_REDIS_URL, testPrefix } from '../helpers/redis';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, parsed: every sample line with its labels; TYPE lines by metric. */
function parseMetrics(text: string): { samples: Sample[]; types: Record<string, string> } {
  const samples: Sample[] = [];
  const types: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types[name] = type;
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { samples, types };
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('GET /metrics', () => {
  const prefix = testPrefix();
  let gw: TestGateway;
  let id: string;

  beforeAll(async () => {
    gw = await startTestGateway('postgres', { REDIS_URL: SHARED_REDIS_URL, REDIS_CACHE_PREFIX: prefix, ...FIELD_CACHING_ONLY });
    id = await createDataset(gw, await gw.token('alice'), 'numbers');
  });
  afterAll(async () => {
    await gw?.close();
    await deletePrefix(SHARED_REDIS_URL, prefix);
  });

  async function scrape() {
    const res = await fetch(`${gw.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseMetrics(await res.text());
  }

  it('counts hits and misses per field coordinate, with latency histograms for each', async () => {
    const before = (await scrape()).samples;
    expect(value(before, 'cachegate_cache_hits_total', { coordinate: 'Dataset.statistics' })).toBeUndefined();

    for (let i = 0; i < 3; i++) await gw.gql(DatasetStatisticsDocument, { id });
    const { samples, types } = await scrape();

    expect(types).toMatchObject({
      cachegate_cache_hits_total: 'counter',
      cachegate_cache_misses_total: 'counter',
      cachegate_cache_errors_total: 'counter',
      cachegate_cache_lookup_duration_seconds: 'histogram',
      cachegate_cache_circuit_state: 'gauge',
      cachegate_cache_l1_bytes: 'gauge',
      cachegate_cache_l1_entries: 'gauge',
    });
    expect(value(samples, 'cachegate_cache_hits_total', { coordinate: 'Dataset.statistics' })).toBe(2);
    expect(value(samples, 'cachegate_cache_misses_total', { coordinate: 'Dataset.statistics' })).toBe(1);
    expect(value(samples, 'cachegate_cache_sets_total')).toBe(1);
    expect(value(samples, 'cachegate_cache_lookup_duration_seconds_count', { coordinate: 'Dataset.statistics', result: 'hit' })).toBe(2);
    expect(value(samples, 'cachegate_cache_lookup_duration_seconds_count', { coordinate: 'Dataset.statistics', result: 'miss' })).toBe(1);
    expect(value(samples, 'cachegate_cache_lookup_duration_seconds_bucket', { coordinate: 'Dataset.statistics', result: 'hit', le: '+Inf' })).toBe(2);
    expect(value(samples, 'cachegate_cache_lookup_duration_seconds_sum', { coordinate: 'Dataset.statistics', result: 'miss' })).toBeGreaterThan(0);
  });

  it('shows the circuit state, the in-process tier and the default process metrics', async () => {
    const { samples } = await scrape();
    expect(value(samples, 'cachegate_cache_circuit_state', { state: 'closed' })).toBe(1);
    expect(value(samples, 'cachegate_cache_circuit_state', { state: 'open' })).toBe(0);
    expect(value(samples, 'cachegate_cache_circuit_state', { state: 'half-open' })).toBe(0);
    expect(value(samples, 'cachegate_cache_l1_entries')).toBe(gw.gateway.cache.state().memory!.entries);
    expect(value(samples, 'cachegate_cache_l1_bytes')).toBeGreaterThan(0);
    expect(value(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(value(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });
});
