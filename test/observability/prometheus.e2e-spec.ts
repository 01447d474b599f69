import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DoneEventData, MetaEventData } from '@app/contracts';
import { freePort } from '../support/free-port.js';
import { until } from '../support/until.js';
import { postJson, readStream } from '../support/sse-reader.js';
import { TestStack } from '../support/test-stack.js';

// A real Prometheus (Debian's `prometheus` package; .ci/run installs it) scrapes the three
// services while streams run, and answers every query of the Grafana dashboard in the repository.
const installed = spawnSync('sh', ['-c', 'command -v prometheus && command -v promtool']).status === 0;
if (!installed) process.stdout.write('prometheus.e2e-spec: skipped, the prometheus and promtool binaries are not installed (apt-get install prometheus)\n');
const describeWithPrometheus = installed ? describe : describe.skip;

interface Dashboard {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
}
const dashboard = JSON.parse(readFileSync('observability/grafana/dashboards/chat-backend.json', 'utf8')) as Dashboard;
const question = { message: 'How do I configure the Redis connection?', user_id: 'prometheus' };

type Vector = Array<{ metric: Record<string, string>; value: [number, string] }>;

describeWithPrometheus('metrics in a real Prometheus, as the dashboard queries them', () => {
  let stack: TestStack;
  let prometheus: ChildProcess;
  let prometheusUrl = '';
  const dir = mkdtempSync(join(tmpdir(), 'chat-prometheus-'));
  /** Per completed stream: the gateway's own TTFT (done.stats, the histogram's measure) and the client's. */
  const ttfts: Array<{ server: number; client: number }> = [];

  async function query(expr: string): Promise<Vector> {
    const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as { status: string; error?: string; data: { result: Vector } };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data.result;
  }

  beforeAll(async () => {
    stack = await TestStack.start({ generators: 2, env: { PACING_MS: '10' } });
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    const target = (url: string) => new URL(url).host;
    const config = [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      `  - { job_name: gateway, static_configs: [{ targets: ['${target(stack.gateway.url)}'] }] }`,
      `  - { job_name: generator, static_configs: [{ targets: [${stack.generators.map((g) => `'${target(g.url)}'`).join(', ')}] }] }`,
      `  - { job_name: history, static_configs: [{ targets: ['${target(stack.history.url)}'] }] }`,
    ].join('\n');
    writeFileSync(join(dir, 'prometheus.yml'), config);
    prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
      stdio: 'ignore',
    });
    await until(async () => (await fetch(`${prometheusUrl}/-/ready`)).ok, 30_000, 'prometheus ready');
    await until(async () => (await query('up == 1')).length === 4, 30_000, 'all four targets up');

    // Traffic: completed streams (their TTFT measured by the client too) and a cancelled one.
    for (let i = 0; i < 6; i++) {
      const res = await readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, { body: question });
      const done = res.json<DoneEventData>('done');
      expect(done.status).toBe('completed');
      ttfts.push({ server: done.stats.ttft_ms / 1000, client: res.chunks[0].at / 1000 });
    }
    let cancelling: Promise<Response> | undefined;
    await readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, {
      body: { ...question, user_id: 'prometheus-cancel' },
      stopWhen: (events) => {
        if (!cancelling && events.filter((e) => e.event === undefined).length >= 3) {
          const meta = JSON.parse(events.find((e) => e.event === 'meta')!.data) as MetaEventData;
          cancelling = postJson(`${stack.gateway.url}/api/v1/chat/streams/${meta.stream_id}/cancel?user_id=prometheus-cancel`, {});
        }
        return false;
      },
    });
    await cancelling;
    // Scraped at least twice after the traffic, so every rate() has two samples with it.
    await until(async () => (await query('sum(chat_streams_total{outcome="cancelled"})')).length === 1, 15_000, 'the cancel scraped');
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // two scrape intervals
  }, 180_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('the repository\'s scrape config for the compose profile is valid', () => {
    const check = spawnSync('promtool', ['check', 'config', 'observability/prometheus.yml'], { encoding: 'utf8' });
    expect([check.status, check.stdout + check.stderr]).toEqual([0, expect.stringContaining('SUCCESS')]);
  });

  it.each(dashboard.panels.flatMap((p) => p.targets.map((t) => [p.title, t.expr] as const)))('%s: %s returns data', async (_title, expr) => {
    const result = await query(expr);
    expect(result.length).toBeGreaterThan(0);
    for (const sample of result) expect(Number.isNaN(Number(sample.value[1]))).toBe(false);
  });

  it('agrees on TTFT p99 within a bucket with what the streams reported, and is no later than the clients saw', async () => {
    const [sample] = await query('histogram_quantile(0.99, sum by (le) (rate(chat_stream_ttft_seconds_bucket[1m])))');
    const fromPrometheus = Number(sample.value[1]);
    const buckets = (await query('sum by (le) (chat_stream_ttft_seconds_bucket)')).map((s) => Number(s.metric.le)).filter(Number.isFinite).sort((a, b) => a - b);
    const bucketOf = (seconds: number) => buckets.findIndex((le) => seconds <= le);
    // 6 streams: the p99 is the slowest. The quantile interpolates inside a bucket, hence "within one".
    const serverP99 = Math.max(...ttfts.map((t) => t.server));
    expect(Math.abs(bucketOf(fromPrometheus) - bucketOf(serverP99))).toBeLessThanOrEqual(1);
    // A client's first chunk arrives after the gateway wrote it (plus HTTP and the trip, which a
    // busy machine can stretch): its TTFT bounds the gateway's from above.
    const clientP99 = Math.max(...ttfts.map((t) => t.client));
    expect(bucketOf(fromPrometheus)).toBeLessThanOrEqual(bucketOf(clientP99) + 1);
  });
});
