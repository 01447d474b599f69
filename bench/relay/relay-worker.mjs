// The second yardstick's worker: BLMPOPs jobs from the Redis list relay-server.mjs fills and, per
// job, PUBLISHes the reply one word per PACING_MS to the stream's channel, each message a whole
// SSE event as the product sends it ({"text","seq"} chunks, then `done`). A setTimeout chain,
// each timer due at start + k × pacing like the reference's, so pacing does not drift.
//   env: REDIS_URL, PACING_MS (30), REPLY_FILE (JSON array of the chunk texts)
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';

const JOBS = 'relay:jobs';
const BATCH = 100; // jobs taken per BLMPOP
const pacingMs = Number(process.env.PACING_MS ?? 30);
const words = JSON.parse(readFileSync(process.env.REPLY_FILE, 'utf8'));
const events = words.map((text, k) => `id: ${k + 1}\ndata: ${JSON.stringify({ text, seq: k + 1 })}\n\n`);
const blocking = new Redis(process.env.REDIS_URL);
const publisher = new Redis(process.env.REDIS_URL);

function doneEvent({ streamId, sessionId, receivedAt }, firstChunkAt) {
  const k = words.length;
  const durationMs = Date.now() - receivedAt;
  const done = {
    stream_id: streamId,
    session_id: sessionId,
    status: 'completed',
    chunks: k,
    stats: { ttft_ms: firstChunkAt - receivedAt, duration_ms: durationMs, tokens: k, tokens_per_sec: Math.round((k / durationMs) * 10_000) / 10 },
    cached: false,
    persisted: false,
    sources: [],
  };
  return `event: done\nid: ${k}\ndata: ${JSON.stringify(done)}\n\n`;
}

function run(job) {
  const channel = `relay:stream:${job.streamId}`;
  const start = performance.now();
  let firstChunkAt = 0;
  let k = 0;
  const tick = () => {
    void publisher.publish(channel, events[k]);
    if (k === 0) firstChunkAt = Date.now();
    k += 1;
    if (k < words.length) setTimeout(tick, Math.max(0, start + k * pacingMs - performance.now()));
    else void publisher.publish(channel, doneEvent(job, firstChunkAt));
  };
  tick(); // the first chunk is not delayed
}

async function take() {
  for (;;) {
    const popped = await blocking.blmpop(0, 1, JOBS, 'RIGHT', 'COUNT', BATCH);
    for (const raw of popped?.[1] ?? []) run(JSON.parse(raw));
  }
}

take().catch((err) => {
  process.stderr.write(`relay worker: ${err.message}\n`);
  process.exit(1);
});
process.on('SIGTERM', () => process.exit(0));
