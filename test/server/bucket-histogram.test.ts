import { Registry } from 'prom-client';
import { BucketHistogram } from '../../src/server/bucket-histogram';

describe('BucketHistogram', () => {
  it('exposes cumulative buckets, sum and count per label set in the Prometheus format', async () => {
    const registry = new Registry();
    const h = new BucketHistogram('t_seconds', 'test', [0.125, 1], registry);
    const a = h.child({ coordinate: 'A.x', result: 'hit' });
    const b = h.child({ coordinate: 'B.y', result: 'miss' });
    for (const v of [0.0625, 0.125, 0.5, 3]) a(v);
    b(2);
    expect(h.child({ coordinate: 'A.x', result: 'hit' })).not.toBe(a); // a new function, same series:
    h.child({ coordinate: 'A.x', result: 'hit' })(0.0625);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE t_seconds histogram');
    expect(text).toContain('t_seconds_bucket{le="0.125",coordinate="A.x",result="hit"} 3');
    expect(text).toContain('t_seconds_bucket{le="1",coordinate="A.x",result="hit"} 4');
    expect(text).toContain('t_seconds_bucket{le="+Inf",coordinate="A.x",result="hit"} 5');
    expect(text).toContain('t_seconds_sum{coordinate="A.x",result="hit"} 3.75');
    expect(text).toContain('t_seconds_count{coordinate="A.x",result="hit"} 5');
    expect(text).toContain('t_seconds_bucket{le="1",coordinate="B.y",result="miss"} 0');
    expect(text).toContain('t_seconds_count{coordinate="B.y",result="miss"} 1');
    registry.resetMetrics();
    expect(await registry.metrics()).toContain('t_seconds_count{coordinate="A.x",result="hit"} 0');
  });
});
