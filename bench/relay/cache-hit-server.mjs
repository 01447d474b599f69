// The cache-hit yardstick: what the product's gateway does for a cache hit, with nothing else (no
// framework, auth, guardrails, history, metrics library), in one plain node:http process.
// Per POST /api/v1/chat/unified/stream: the body read and checked, stream and session ids made,
// then ONE Redis round trip before answering: SUBSCRIBE of the stream's channel and one script
// (session claimed with SET NX, the stream's meta hash written, the cached reply read) leave in the
// same socket write, on the one connection that also carries every other command. As the product's
// command connection on one Redis does (libs/platform/src/redis/coalescing-redis.ts, stream
// subscriptions in RESP3, ioredis's default), the socket is corked for a tick, and in RESP3 a
// subscription does not stop the connection's other commands. On the answer: headers, `meta`, the
// first chunk written at once; every chunk (the first too, at once) then goes through an append
// script (RPUSH to the stream's log + PUBLISH on its channel), chunk k due at start + k × pacing;
// the client gets chunks 2.. from the channel (the first one's copy is dropped), then `done`.
// `done.stats.ttft_ms`: request received → first chunk written, on the monotonic clock.
//   env: PORT, REDIS_URL, PACING_MS (30), REPLY_FILE (JSON array of the chunk texts)
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { readTurnRequest } from '../lib/turn-request.mjs';
import { serveYardstick } from '../lib/yardstick-server.mjs';

const pacingMs = Number(process.env.PACING_MS ?? 30);
const TTL_S = 300;
const REPLY_KEY = 'cachehit:reply';
const streamKey = (streamId, part) => `cachehit:stream:${streamId}:${part}`;

/** KEYS: session, meta, cached reply; ARGV: stream id, user id, session id, created at, ttl (s). */
const OPEN_HIT = `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[5]) then return false end
redis.call('HSET', KEYS[2], 'user_id', ARGV[2], 'session_id', ARGV[3], 'status', 'running', 'created_at', ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return redis.call('GET', KEYS[3])`;
/** KEYS: log, channel; ARGV: entry, ttl (s). */
const APPEND = `
local len = redis.call('RPUSH', KEYS[1], ARGV[1])
if len == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
redis.call('PUBLISH', KEYS[2], ARGV[1])
return len`;

/** A tick's commands in one socket write (the product's CoalescingRedis, without the types). */
class CoalescingRedis extends Redis {
  sendCommand(command, stream) {
    if (!stream && !this.corked && this.status === 'ready' && this.stream) {
      const socket = this.stream;
      socket.cork();
      this.corked = true;
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    return super.sendCommand(command, stream);
  }
}

// The product's command-connection options: fail fast, no offline queue.
const redis = new CoalescingRedis(process.env.REDIS_URL, {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  retryStrategy: (attempt) => Math.min(50 * attempt, 1_000),
});
redis.on('error', () => undefined);
redis.defineCommand('openHit', { numberOfKeys: 3, lua: OPEN_HIT });
redis.defineCommand('append', { numberOfKeys: 2, lua: APPEND });
const open = new Map(); // channel → stream

// Entries as the product's log carries them, `c:<seq>:<json>`: routed on seq without parsing JSON.
redis.on('message', (channel, entry) => {
  const s = open.get(channel);
  if (!s) return;
  const colon = entry.indexOf(':', 2);
  const seq = Number(entry.slice(2, colon));
  if (seq > s.written) {
    s.res.write(`id: ${seq}\ndata: ${entry.slice(colon + 1)}\n\n`);
    s.written = seq;
  }
  if (seq === s.words.length) finish(s);
});

function close(s) {
  if (open.get(s.channel) !== s) return;
  open.delete(s.channel);
  clearTimeout(s.timer);
  redis.unsubscribe(s.channel).catch(() => undefined);
}

function finish(s) {
  const n = s.words.length;
  const durationMs = Math.round(performance.now() - s.arrivedAt);
  const done = {
    stream_id: s.streamId,
    session_id: s.sessionId,
    status: 'completed',
    chunks: n,
    cached: true,
    stats: { ttft_ms: s.ttftMs, duration_ms: durationMs, tokens: n, tokens_per_sec: Math.round((n / durationMs) * 10_000) / 10 },
    persisted: false,
    sources: [],
  };
  s.res.end(`event: done\nid: ${n}\ndata: ${JSON.stringify(done)}\n\n`);
  close(s);
}

const entryOf = (seq, text) => `c:${seq}:${JSON.stringify({ text, seq })}`;

/** Chunk k (0-based) is appended at start + k × pacing, scheduled from the start: no drift. */
function appendNext(s) {
  const k = s.appended;
  s.appended += 1;
  redis.append(s.log, s.channel, entryOf(k + 1, s.words[k]), TTL_S).catch(() => s.res.destroy());
  if (s.appended < s.words.length) s.timer = setTimeout(appendNext, Math.max(0, s.start + s.appended * pacingMs - performance.now()), s);
}

async function stream(req, res) {
  const arrivedAt = performance.now();
  const body = await readTurnRequest(req, res);
  if (!body) return;
  const streamId = randomUUID();
  const sessionId = randomUUID();
  const createdAt = new Date().toISOString();
  const s = { res, streamId, sessionId, arrivedAt, channel: streamKey(streamId, 'channel'), log: streamKey(streamId, 'log'), words: [], written: 0, appended: 0 };
  open.set(s.channel, s);
  res.on('close', () => close(s));
  // The round trip: both commands in this tick, so in one write.
  const [, cached] = await Promise.all([
    redis.subscribe(s.channel),
    redis.openHit(`cachehit:session:${sessionId}`, streamKey(streamId, 'meta'), REPLY_KEY, streamId, body.user_id, sessionId, createdAt, TTL_S),
  ]);
  if (!cached) throw new Error('session taken or no cached reply');
  if (res.destroyed) return;
  s.words = JSON.parse(cached);
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no', 'X-Stream-Id': streamId, 'X-Session-Id': sessionId });
  res.write(`event: meta\nid: 0\nretry: 2000\ndata: ${JSON.stringify({ stream_id: streamId, session_id: sessionId, created_at: createdAt })}\n\n`);
  res.write(`id: 1\ndata: ${JSON.stringify({ text: s.words[0], seq: 1 })}\n\n`);
  s.written = 1;
  s.ttftMs = Math.round(performance.now() - arrivedAt);
  s.start = performance.now();
  appendNext(s); // seq 1 at once, as the product's first append leaves with the first chunk
}

// The cached reply is in Redis before the first request can come.
await new Promise((resolve) => redis.once('ready', resolve));
await redis.set(REPLY_KEY, readFileSync(process.env.REPLY_FILE, 'utf8'));
serveYardstick({ port: Number(process.env.PORT ?? 7300), stream, ready: () => redis.status === 'ready' });
