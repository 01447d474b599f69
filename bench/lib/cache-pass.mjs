// `npm run bench -- --cache[=COUNT]`: the response cache's first chunk (issue 20, goal ≤ 5 ms p99
// server-side). A gateway and a generator with CACHE_SCOPE=global; one stream of the benchmark's
// question fills the cache, then COUNT (300) streams of the same question from other users, each
// read to its end at the real pacing (--cache-pacing=MS sets CACHE_PACING_MS).
// Arrivals: a Poisson process at IN_FLIGHT ÷ (reply duration) per second (--in-flight=N, default
// 20), so that about N hits are open at any moment and they arrive independently, as a service sees
// them. --in-flight=1 instead plays them one after another (nothing else running: the step timing
// of docs/benchmarks.md). Fixed lanes that each start a stream when their last one ends would
// start N hits at once every reply duration once the lanes fall into step (every reply has the
// same length): a burst of N, measured by --burst, not a hit's own latency.
// The first WARM_UP hits after the gateway's start are played but not counted (their figures are
// shown apart): they run code V8 has not compiled yet, which a serving gateway did long ago.
// Server-side time to first chunk is what the gateway reports in `done.stats.ttft_ms` (request
// received → first chunk written to the socket, whole milliseconds); the client's own (request
// sent → first chunk read) is shown beside it.
// The baseline, measured first in the same pass: the cache-hit yardstick (bench/relay/
// cache-hit-server.mjs: node:http and a hit's one Redis round trip, then the paced appends over
// pub/sub, on the bench's Redis) gets the same hits: the same count, warm-up, arrival schedule and
// pacing, and the stack's own reply (asked once beforehand with the cache off). It is what this
// machine imposes on a hit without the product's code; the stack is reported as a ratio to it.
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { poissonArrivals } from './explore.mjs';
import { probeReply } from './reply-probe.mjs';
import { startService } from './stack.mjs';
import { percentileSorted } from './stats.mjs';
import { cacheHitTarget } from './targets.mjs';

const IN_FLIGHT = 20;
const WARM_UP = 30;

export async function cachePass(backEnd, message, count, inFlight = IN_FLIGHT, pacingMs = undefined) {
  const env = { ...backEnd.env, CACHE_SCOPE: 'global', RATE_LIMIT_REQUESTS: '0', MAX_STREAMS_PER_USER: '0' };
  if (pacingMs !== undefined) env.CACHE_PACING_MS = String(pacingMs);
  const pacing = Number(env.CACHE_PACING_MS ?? env.PACING_MS);
  const total = WARM_UP + count;
  // The yardstick replays the stack's own reply (asked once, the cache off), so both send the same chunks.
  const reply = await probeReply(backEnd, message);
  const replyFile = join(tmpdir(), `bench-cache-reply-${process.pid}.json`);
  writeFileSync(replyFile, JSON.stringify(reply.words));
  process.once('exit', () => rmSync(replyFile, { force: true }));
  // One arrival schedule for both (undefined: one after another).
  const arrivals = inFlight > 1 ? poissonSchedule(total, inFlight / ((reply.words.length * pacing) / 1000)) : undefined;

  const server = await cacheHitTarget(replyFile, pacing, backEnd).start();
  let yardstick;
  try {
    yardstick = summary(await play(server.url, message, total, arrivals));
  } finally {
    await server.stop();
  }
  const services = await Promise.all([startService('gateway', env), startService('generator', env)]);
  try {
    const first = await stream(services[0].url, message, 'bench-cache-fill');
    if (first.cached) throw new Error('the first stream was already cached');
    if (first.chunks !== reply.words.length) throw new Error(`the stack cached ${first.chunks} chunks, the yardstick replays ${reply.words.length}`);
    const stack = summary(await play(services[0].url, message, total, arrivals));
    return { count, inFlight, chunks: first.chunks, pacingMs: pacing, generatedTtftMs: first.serverTtftMs, yardstick, stack };
  } finally {
    await Promise.all(services.map((s) => s.stop()));
  }
}

/** `total` arrival times (ms from the start) of a Poisson process at `ratePerS`. */
function poissonSchedule(total, ratePerS) {
  let arrivals = [];
  while (arrivals.length < total) arrivals = poissonArrivals(ratePerS, (total * 1.5 * 1000) / ratePerS);
  return arrivals.slice(0, total);
}

/** `total` hits of `url`, at the `arrivals` (ms from now) or one after another. */
async function play(url, message, total, arrivals) {
  const results = [];
  if (!arrivals) {
    for (let i = 0; i < total; i++) results.push(await stream(url, message, `bench-cache-${i}`));
    return results;
  }
  const start = performance.now();
  await Promise.all(
    arrivals.map(async (at, i) => {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + at - performance.now())));
      results[i] = await stream(url, message, `bench-cache-${i}`);
    }),
  );
  return results;
}

/** The counted hits' first-chunk times, the warm-up's apart. */
function summary(results) {
  const hits = results.slice(WARM_UP).filter((r) => r.cached);
  const sorted = (key, of = hits) => of.map((r) => r[key]).sort((a, b) => a - b);
  const stats = (values) => ({ p50: percentileSorted(values, 50), p99: percentileSorted(values, 99), max: values[values.length - 1] });
  return {
    hits: hits.length,
    warmUp: { count: WARM_UP, serverTtftMs: stats(sorted('serverTtftMs', results.slice(0, WARM_UP))) },
    serverTtftMs: stats(sorted('serverTtftMs')),
    clientTtftMs: stats(sorted('clientTtftMs')),
  };
}

/** One stream read to its end: whether it was cached, and its first chunk's times. */
async function stream(url, message, user) {
  const sent = performance.now();
  const res = await fetch(`${url}/api/v1/chat/unified/stream`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ message, user_id: user }),
  });
  if (res.status !== 200) throw new Error(`stream answered ${res.status}`);
  const decoder = new TextDecoder();
  let body = '';
  let clientTtftMs;
  for await (const bytes of res.body) {
    body += decoder.decode(bytes, { stream: true });
    if (clientTtftMs === undefined && /\nid: 1\n/.test(body)) clientTtftMs = performance.now() - sent;
  }
  const done = /event: done\nid: \d+\ndata: (.*)\n/.exec(body);
  if (!done) throw new Error(`no done in: ${body.slice(-500)}`);
  const data = JSON.parse(done[1]);
  return { cached: data.cached, chunks: data.chunks, serverTtftMs: data.stats.ttft_ms, clientTtftMs };
}
