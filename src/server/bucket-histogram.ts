import type { Metric, Registry } from 'prom-client';

interface Series {
  labels: Record<string, string>;
  /** counts[i]: observations in (buckets[i-1], buckets[i]]; the last one above every bound. */
  counts: Float64Array;
  sum: number;
}

/**
 * A Prometheus histogram, exposed through a prom-client registry, whose observe is a bucket
 * search and two additions. prom-client's own hashes the label values on every observation,
 * which showed in the profile of the whole-response hit path; series here are resolved once.
 */
export class BucketHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** The observe function of one label set (call once per label set, keep the function). */
  child(labels: Record<string, string>): (value: number) => void {
    const id = JSON.stringify(labels);
    let s = this.series.get(id);
    if (!s) {
      s = { labels, counts: new Float64Array(this.buckets.length + 1), sum: 0 };
      this.series.set(id, s);
    }
    const series = s;
    const bounds = this.buckets;
    return (value) => {
      let i = 0;
      while (i < bounds.length && value > bounds[i]) i++;
      series.counts[i]++;
      series.sum += value;
    };
  }

  /** What prom-client's registry reads at scrape time. */
  async get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i];
        values.push({ labels: { le, ...s.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      cumulative += s.counts[this.buckets.length];
      values.push({ labels: { le: '+Inf', ...s.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: cumulative, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const s of this.series.values()) {
      s.counts.fill(0);
      s.sum = 0;
    }
  }
}
