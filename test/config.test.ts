import { ConfigError, loadConfig } from '../src/config';

describe('where the shared cache tier lives', () => {
  it('is one Redis with REDIS_URL, a cluster with REDIS_CLUSTER_NODES, a sentinel-watched master with REDIS_SENTINELS', () => {
    expect(loadConfig({ REDIS_URL: 'redis://h:6379' }).redis).toEqual({ kind: 'single', url: 'redis://h:6379' });
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001', REDIS_PASSWORD: 'pw' }).redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      username: undefined,
      password: 'pw',
    });
    expect(loadConfig({ REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'main', REDIS_SENTINEL_PASSWORD: 'sp' }).redis).toMatchObject({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      name: 'main',
      sentinelPassword: 'sp',
    });
    expect(loadConfig({}).redis).toBeUndefined();
  });

  it('refuses two topologies at once, a sentinel list without a master name, and entries that are not host:port', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://h', REDIS_CLUSTER_NODES: 'h:7000' })).toThrow(/set only one of/);
    expect(() => loadConfig({ REDIS_SENTINELS: 'h:26379' })).toThrow(/REDIS_SENTINEL_NAME/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'h:7000,h' })).toThrow(ConfigError);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'h:7000,h' })).toThrow(/"h" is not host:port/);
  });

  it('keeps the in-process tier when the shared tier is a cluster and CACHE_L1_MAX_BYTES=0 turns it off', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'h:7000', CACHE_L1_MAX_BYTES: '0' }).CACHE_L1_MAX_BYTES).toBe(0);
    expect(loadConfig({ CACHE_L1_MAX_BYTES: '0' }).CACHE_L1_MAX_BYTES).toBeGreaterThan(0);
  });
});
