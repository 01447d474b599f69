import { Counter, Gauge, Histogram, register, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration, type Metric } from 'prom-client';
import { HotHistogram, type HotHistogramConfiguration } from './hot-histogram.js';

// Metrics live in prom-client's default registry, which /metrics serves. A module evaluated twice
// in one process (a test that builds two apps) must get the metric it registered the first time,
// not prom-client's "already registered" error.
function once<M>(name: string, make: () => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? make();
}

export const counter = <L extends string>(config: CounterConfiguration<L>) => once(config.name, () => new Counter(config));
export const gauge = <L extends string>(config: GaugeConfiguration<L>) => once(config.name, () => new Gauge(config));
export const histogram = <L extends string>(config: HistogramConfiguration<L>) => once(config.name, () => new Histogram(config));
/** A histogram without labels for a per-chunk path (see HotHistogram), registered like the others. */
export const hotHistogram = (config: HotHistogramConfiguration) =>
  once(config.name, () => {
    const made = new HotHistogram(config.name, config.help, config.buckets);
    register.registerMetric(made as unknown as Metric);
    return made;
  });

/** Buckets for latencies of one step, 1 ms to 10 s. */
export const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
