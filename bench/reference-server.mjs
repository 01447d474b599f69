// The yardstick: the same SSE stream as the product (meta, numbered {"text","seq"} chunks, done),
// served by one plain node:http process with one setTimeout per chunk — no queue, no Redis, no
// framework. Whatever the stack costs above this is the price of its architecture.
//   env: PORT, PACING_MS (30), REPLY_FILE (JSON array of the chunk texts to send).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readTurnRequest } from './lib/turn-request.mjs';
import { serveYardstick } from './lib/yardstick-server.mjs';

const port = Number(process.env.PORT ?? 7100);
const pacingMs = Number(process.env.PACING_MS ?? 30);
const words = JSON.parse(readFileSync(process.env.REPLY_FILE, 'utf8'));

function sseEvent(type, id, data) {
  return `${type ? `event: ${type}\n` : ''}id: ${id}\ndata: ${data}\n\n`;
}

async function stream(req, res) {
  const receivedAt = Date.now();
  const body = await readTurnRequest(req, res);
  if (!body) return;
  const streamId = randomUUID();
  const sessionId = randomUUID();
  const createdAt = new Date(receivedAt).toISOString();
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
    'X-Stream-Id': streamId,
    'X-Session-Id': sessionId,
    'X-Request-Id': randomUUID(),
  });
  res.write('\n');
  res.write(`event: meta\nid: 0\nretry: 2000\ndata: ${JSON.stringify({ stream_id: streamId, session_id: sessionId, created_at: createdAt })}\n\n`);

  // Chunk k is due at start + k × pacing (scheduled from the start, not chained): no drift.
  const start = performance.now();
  let k = 0;
  let timer;
  let firstChunkAt = 0;
  const tick = () => {
    res.write(sseEvent(undefined, k + 1, JSON.stringify({ text: words[k], seq: k + 1 })));
    if (k === 0) firstChunkAt = Date.now();
    k += 1;
    if (k < words.length) {
      timer = setTimeout(tick, Math.max(0, start + k * pacingMs - performance.now()));
      return;
    }
    const durationMs = Date.now() - receivedAt;
    const done = {
      stream_id: streamId,
      session_id: sessionId,
      status: 'completed',
      chunks: k,
      elp: { ethos: 5, logos: 5, pathos: 5, flux_position: 4, confidence: 0.2 },
      stats: { ttft_ms: firstChunkAt - receivedAt, duration_ms: durationMs, tokens: k, tokens_per_sec: Math.round((k / durationMs) * 10_000) / 10 },
      cached: false,
      persisted: true,
      sources: [],
    };
    res.end(sseEvent('done', k, JSON.stringify(done)));
  };
  res.on('close', () => clearTimeout(timer));
  tick(); // the first chunk is not delayed
}

serveYardstick({ port, stream });
