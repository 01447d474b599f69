/** One service's /metrics as Prometheus text, read into `name{labels}` → value. */
export class MetricsScrape {
  private constructor(private readonly samples: Map<string, number>) {}

  static async of(serviceUrl: string): Promise<MetricsScrape> {
    const res = await fetch(`${serviceUrl}/metrics`);
    if (!res.ok) throw new Error(`GET ${serviceUrl}/metrics answered ${res.status}`);
    const samples = new Map<string, number>();
    for (const line of (await res.text()).split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const space = line.lastIndexOf(' ');
      samples.set(line.slice(0, space), Number(line.slice(space + 1)));
    }
    return new MetricsScrape(samples);
  }

  /** A sample's value, 0 when the series does not exist (yet). Labels as written: `{outcome="completed"}`. */
  value(name: string, labels = ''): number {
    return this.samples.get(`${name}${labels}`) ?? 0;
  }

  /** Every series of a metric name, e.g. all `chat_redis_reconnects_total{…}`. */
  series(name: string): string[] {
    return [...this.samples.keys()].filter((key) => key === name || key.startsWith(`${name}{`));
  }
}
