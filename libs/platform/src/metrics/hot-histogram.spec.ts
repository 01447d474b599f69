import { describe, expect, it } from '@jest/globals';
import { Histogram, register } from 'prom-client';
import { hotHistogram } from './metric.js';

const BUCKETS = [0.005, 0.01, 0.02, 0.025, 0.03, 0.035, 0.045, 0.06, 0.1, 0.25, 1, 5];

describe('HotHistogram', () => {
  it('shows on /metrics exactly what prom-client’s histogram shows for the same observations', async () => {
    const hot = hotHistogram({ name: 'test_hot_gap_seconds', help: 'Gaps', buckets: BUCKETS });
    const reference = new Histogram({ name: 'test_reference_gap_seconds', help: 'Gaps', buckets: BUCKETS, registers: [] });
    // On a bound, between bounds, below the first, above the last, and zero.
    for (const value of [0.03, 0.031, 0.001, 0, 7.5, 0.0299, 1, 0.25, 0.2500001, 0.03]) {
      hot.observe(value);
      reference.observe(value);
    }
    const text = await register.getSingleMetricAsString('test_hot_gap_seconds');
    const expected = (await reference.get()).values;
    expect(expected.length).toBe(BUCKETS.length + 3);
    for (const { metricName, labels, value } of expected) {
      const series = `${metricName!.replace('reference', 'hot')}${labels.le === undefined ? '' : `{le="${labels.le}"}`}`;
      expect(text.split('\n')).toContain(`${series} ${value}`);
    }
    expect(text).toContain('# TYPE test_hot_gap_seconds histogram');
  });

  it('refuses a value that is not a finite number and counts nothing for it', async () => {
    const hot = hotHistogram({ name: 'test_hot_refusal_seconds', help: 'Refusals', buckets: [1] });
    expect(() => hot.observe(Number.NaN)).toThrow(TypeError);
    expect(() => hot.observe(Infinity)).toThrow(TypeError);
    expect(await register.getSingleMetricAsString('test_hot_refusal_seconds')).toContain('test_hot_refusal_seconds_count 0');
  });

  it('is registered once: a module evaluated twice gets the same histogram', () => {
    const first = hotHistogram({ name: 'test_hot_once_seconds', help: 'Once', buckets: [1] });
    expect(hotHistogram({ name: 'test_hot_once_seconds', help: 'Once', buckets: [1] })).toBe(first);
  });

  it('starts again from zero when the registry resets its metrics', async () => {
    const hot = hotHistogram({ name: 'test_hot_reset_seconds', help: 'Reset', buckets: [1] });
    hot.observe(0.5);
    register.resetMetrics();
    const text = await register.getSingleMetricAsString('test_hot_reset_seconds');
    expect(text).toContain('test_hot_reset_seconds_count 0');
    expect(text).toContain('test_hot_reset_seconds_bucket{le="1"} 0');
  });
});
