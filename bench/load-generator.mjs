// The load generator, run in its own process (forked by run.mjs, driven over IPC) so that its CPU
// is measured apart from the servers'. One `run` message = one level: N concurrent
// `POST .../unified/stream` requests ramped over `rampMs` (0: all at once), or started at the
// offsets `arrivalsMs` (a Poisson process), each bounded in time, all on loopback. Per stream it
// records time to response headers, to first chunk, every inter-chunk gap, duration, bytes,
// completion and seq continuity; it answers with summaries (percentiles), not raw samples, and
// with `tenths` set also headers and TTFT per tenth of the streams in launch order.
// With BENCH_GAP_LOG=<prefix> it also writes every gap of a level to `<prefix>-<N>-<epoch ms>.txt`,
// one `<stream> <seq> <ms since the level's start> <gap ms>` line each (for a stream's first chunk
// `<ttft ms> <to headers ms> <to meta ms>` in place of the gap) after a `# t0 <epoch ms>` line
// (the level's start on the wall clock, to set beside BENCH_PAUSE_LOG's service logs; bench/gap-stalls.mjs reads them).
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readDone, scanEvents } from './lib/sse-scan.mjs';
import { round, SampleBuffer } from './lib/stats.mjs';

const GAP_LOG = process.env.BENCH_GAP_LOG;
/** The current level's gap lines while BENCH_GAP_LOG is set. */
let gapLog;

/** One stream's bookkeeping; plain fields, updated in place on the hot path. */
function newStream(index) {
  return {
    index,
    startAt: 0,
    headersAt: -1,
    metaAt: -1,
    firstChunkAt: -1,
    lastChunkAt: -1,
    endAt: -1,
    chunks: 0,
    lastSeq: 0,
    seqOk: true,
    bytes: 0,
    done: false,
    doneCompleted: false,
    doneChunks: -1,
    status: 0,
    error: undefined,
    finished: false,
  };
}

/** Chunk arrivals per 50 ms bin since the level started: lets run.mjs count chunks in any window. */
const BIN_MS = 50;

function runStream(stream, plan, agent, gaps, ttfts, bins, onEnd) {
  const body = JSON.stringify({ message: plan.message, user_id: `bench-${plan.tag}-${stream.index}` });
  stream.startAt = performance.now();
  const req = http.request(
    {
      agent,
      host: '127.0.0.1',
      port: plan.port,
      path: plan.path,
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Accept: 'text/event-stream' },
    },
    (res) => {
      stream.status = res.statusCode;
      stream.headersAt = performance.now();
      let tail;
      const onChunk = (seq) => {
        const now = performance.now();
        bins[Math.floor((now - bins.t0) / BIN_MS)] += 1;
        if (seq !== stream.lastSeq + 1) stream.seqOk = false;
        stream.lastSeq = seq;
        if (stream.chunks === 0) {
          stream.firstChunkAt = now;
          ttfts.push(now - stream.startAt);
          // The first chunk's line: its TTFT in place of a gap, then the times to headers and to `meta`.
          gapLog?.push(`${stream.index} ${seq} ${(now - bins.t0).toFixed(2)} ${(now - stream.startAt).toFixed(2)} ${(stream.headersAt - stream.startAt).toFixed(2)} ${(stream.metaAt - stream.startAt).toFixed(2)}`);
        } else {
          gaps.push(now - stream.lastChunkAt);
          gapLog?.push(`${stream.index} ${seq} ${(now - bins.t0).toFixed(2)} ${(now - stream.lastChunkAt).toFixed(2)}`);
        }
        stream.lastChunkAt = now;
        stream.chunks += 1;
      };
      const onNamed = (name, block) => {
        if (name === 'meta') stream.metaAt = performance.now();
        if (name !== 'done' && name !== 'error') return;
        stream.done = name === 'done';
        if (stream.done) ({ completed: stream.doneCompleted, chunks: stream.doneChunks } = readDone(block));
      };
      res.on('data', (buf) => {
        stream.bytes += buf.length;
        tail = scanEvents(tail ? Buffer.concat([tail, buf]) : buf, onChunk, onNamed);
      });
      res.on('end', () => onEnd(stream));
      res.on('error', (err) => onEnd(stream, err));
      // A connection cut mid-body (server gone, our own timeout) may end with neither of the above.
      res.on('close', () => onEnd(stream, stream.done ? undefined : new Error('closed early')));
    },
  );
  req.on('error', (err) => onEnd(stream, err));
  req.end(body);
  return req;
}

function completedOk(stream, expectChunks) {
  return (
    stream.status === 200 &&
    stream.done &&
    stream.doneCompleted &&
    stream.seqOk &&
    stream.chunks === stream.doneChunks &&
    (expectChunks === undefined || stream.chunks === expectChunks) &&
    stream.error === undefined
  );
}

/** Runs one level; resolves with its figures once every stream ended or the deadline passed. */
function runLevel(plan) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const streams = Array.from({ length: plan.n }, (_, i) => newStream(i));
  const requests = new Array(plan.n);
  const gaps = new SampleBuffer(plan.n * (plan.expectChunks ?? 160));
  gapLog = GAP_LOG ? [] : undefined;
  const ttfts = new SampleBuffer(plan.n);
  const bins = new Uint32Array(Math.ceil(plan.deadlineMs / BIN_MS) + 20);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  bins.t0 = t0;
  let ended = 0;

  return new Promise((resolve) => {
    const timers = [];
    const finish = () => {
      for (const timer of timers) clearTimeout(timer);
      for (const req of requests) req?.destroy();
      agent.destroy();
      loop.disable();
      if (gapLog) writeFileSync(`${GAP_LOG}-${plan.n}-${Date.now()}.txt`, [`# t0 ${(performance.timeOrigin + t0).toFixed(1)}`, ...gapLog].join('\n'));
      const result = report(plan, streams, gaps, ttfts, loop, process.cpuUsage(cpuBefore), performance.now() - t0);
      result.binMs = BIN_MS;
      result.bins = Array.from(bins);
      resolve(result);
    };
    const deadline = setTimeout(finish, plan.deadlineMs);
    const onEnd = (stream, err) => {
      if (stream.finished) return;
      stream.finished = true;
      stream.endAt = performance.now();
      if (err) stream.error = err.code ?? err.message;
      ended += 1;
      if (ended === plan.n) {
        clearTimeout(deadline);
        finish();
      }
    };
    for (let i = 0; i < plan.n; i++) {
      const start = () => {
        const stream = streams[i];
        requests[i] = runStream(stream, plan, agent, gaps, ttfts, bins, onEnd);
        // A stream that overruns its own bound is cut: it counts as not completed.
        timers.push(setTimeout(() => !stream.finished && requests[i].destroy(new Error('stream timeout')), plan.streamTimeoutMs));
      };
      timers.push(setTimeout(start, plan.arrivalsMs?.[i] ?? (i * plan.rampMs) / plan.n));
    }
  });
}

function report(plan, streams, gaps, ttfts, loop, cpu, wallMs) {
  const drift = new SampleBuffer(plan.n);
  const durations = new SampleBuffer(plan.n);
  // TTFT split at the meta event: the gateway sends meta once the job is enqueued, so
  // request→meta is the gateway's admission path and meta→first chunk is queue + generator.
  const toMeta = new SampleBuffer(plan.n);
  const metaToFirst = new SampleBuffer(plan.n);
  const toHeaders = new SampleBuffer(plan.n);
  const errors = {};
  let completed = 0;
  let chunks = 0;
  let bytes = 0;
  let seqBroken = 0;
  for (const s of streams) {
    chunks += s.chunks;
    bytes += s.bytes;
    if (!s.seqOk) seqBroken += 1;
    if (completedOk(s, plan.expectChunks)) completed += 1;
    else {
      const why = s.error ?? (s.status !== 200 ? `http ${s.status || 'none'}` : !s.done ? 'no done' : !s.seqOk ? 'seq gap' : 'short reply');
      errors[why] = (errors[why] ?? 0) + 1;
    }
    if (s.endAt > 0) durations.push(s.endAt - s.startAt);
    if (s.headersAt > 0) toHeaders.push(s.headersAt - s.startAt);
    if (s.metaAt > 0) toMeta.push(s.metaAt - s.startAt);
    if (s.metaAt > 0 && s.firstChunkAt > 0) metaToFirst.push(s.firstChunkAt - s.metaAt);
    // Pacing drift: how far the stream's average gap is from the nominal pacing.
    if (s.chunks > 1) drift.push((s.lastChunkAt - s.firstChunkAt) / (s.chunks - 1) - plan.pacingMs);
  }
  const ms = (x) => round(x, 2);
  const pick = (s) => ({ mean: ms(s.mean), p50: ms(s.p50), p90: ms(s.p90), p99: ms(s.p99), p999: ms(s.p999), max: ms(s.max) });
  const gap = gaps.summary();
  const d = drift.summary();
  return {
    n: plan.n,
    completed,
    chunks,
    bytes,
    seqBroken,
    errors,
    wallMs: Math.round(wallMs),
    gap: { ...pick(gap), over45: countOver(gaps, 45) },
    ttft: pick(ttfts.summary()),
    toHeaders: pick(toHeaders.summary()),
    tenths: plan.tenths ? byTenth(streams, pick) : undefined,
    duration: pick(durations.summary()),
    toMeta: pick(toMeta.summary()),
    metaToFirst: pick(metaToFirst.summary()),
    drift: { mean: ms(d.mean), p99: ms(d.p99), max: ms(d.max) },
    client: {
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      loopP99Ms: ms(Math.max(0, loop.percentile(99) / 1e6 - 10)),
      loopMaxMs: ms(Math.max(0, loop.max / 1e6 - 10)),
    },
  };
}

/** Time to response headers and TTFT of each tenth of the streams, in launch order. */
function byTenth(streams, pick) {
  return Array.from({ length: 10 }, (_, t) => {
    const part = streams.slice(Math.floor((t * streams.length) / 10), Math.floor(((t + 1) * streams.length) / 10));
    const headers = new SampleBuffer(part.length || 1);
    const ttft = new SampleBuffer(part.length || 1);
    for (const s of part) {
      if (s.headersAt > 0) headers.push(s.headersAt - s.startAt);
      if (s.firstChunkAt > 0) ttft.push(s.firstChunkAt - s.startAt);
    }
    return { streams: part.length, toHeaders: pick(headers.summary()), ttft: pick(ttft.summary()) };
  });
}

/** Gaps above `limit` ms (the buffer is sorted by summary(), so scan from the end). */
function countOver(buffer, limit) {
  let count = 0;
  for (let i = buffer.length - 1; i >= 0 && buffer.values[i] > limit; i--) count += 1;
  return count;
}

process.on('message', async (msg) => {
  if (msg.type === 'run') process.send({ type: 'result', result: await runLevel(msg.plan) });
  else if (msg.type === 'exit') process.exit(0);
});
process.on('disconnect', () => process.exit(0));
