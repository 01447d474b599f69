// The second yardstick's front process: plain node:http, no framework. Per request it SUBSCRIBEs
// the stream's channel on one shared subscriber connection, sends `meta`, LPUSHes the job to a
// Redis list, then writes to the client every message published on that channel (each one is a whole
// SSE event, `done` last). The work sits in relay-worker.mjs: queue + pub/sub relay, the product's
// architecture with nothing else (no auth, limits, history, retries).
//   env: PORT, REDIS_URL
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { readTurnRequest } from '../lib/turn-request.mjs';
import { serveYardstick } from '../lib/yardstick-server.mjs';

const JOBS = 'relay:jobs';
const channelOf = (streamId) => `relay:stream:${streamId}`;
const redis = new Redis(process.env.REDIS_URL);
const subscriber = new Redis(process.env.REDIS_URL);
const open = new Map(); // channel → response

subscriber.on('message', (channel, event) => {
  const res = open.get(channel);
  if (!res) return;
  res.write(event);
  if (event.startsWith('event: done')) finish(channel, res);
});

function finish(channel, res) {
  if (open.get(channel) !== res) return;
  open.delete(channel);
  void subscriber.unsubscribe(channel);
  res.end();
}

async function stream(req, res) {
  const receivedAt = Date.now();
  const body = await readTurnRequest(req, res);
  if (!body) return;
  const streamId = randomUUID();
  const sessionId = randomUUID();
  const channel = channelOf(streamId);
  open.set(channel, res);
  res.on('close', () => finish(channel, res));
  await subscriber.subscribe(channel); // before the job exists: no chunk can be missed
  // Headers and meta before the job: ioredis may hand over the first chunk before LPUSH's reply.
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no', 'X-Stream-Id': streamId, 'X-Session-Id': sessionId });
  res.write(`\nevent: meta\nid: 0\nretry: 2000\ndata: ${JSON.stringify({ stream_id: streamId, session_id: sessionId, created_at: new Date(receivedAt).toISOString() })}\n\n`);
  await redis.lpush(JOBS, JSON.stringify({ streamId, sessionId, receivedAt }));
}

serveYardstick({ port: Number(process.env.PORT ?? 7200), stream, ready: () => redis.status === 'ready' && subscriber.status === 'ready' });
