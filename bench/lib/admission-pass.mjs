// `npm run bench -- --admission[=COUNT]`: what one request costs the gateway's CPU, measured apart
// from everything else. A gateway runs against the back end's Redis with no generator, and the
// bench sends it, a few at a time, three kinds of request:
// - probe: GET /health/live on a kept-alive connection (HTTP parsing, Express/Nest, middleware);
// - refused: a stream request with an empty message, answered 400 (plus body parsing, validation);
// - start: a valid stream request, on a new connection, read until `meta`, then closed (plus the
//   rate limit, the opening script, the subscribe, the enqueue, the SSE head, and the release
//   when the client leaves).
// The gateway's CPU time over COUNT requests (from /proc, 10 ms ticks) ÷ COUNT, three rounds after a
// warm-up, and the part of it spent in the kernel (system calls: socket reads and writes; the rest
// is JavaScript). The sweep's start cost is the same work on a machine the whole stack keeps busy;
// this one is the gateway's own, uncontended, so an A/B of the admission path sees small differences.
import http from 'node:http';
import { readKernelMs, readProc } from './proc-sampler.mjs';
import { sleep } from './ports.mjs';
import { startService } from './stack.mjs';
import { median, round } from './stats.mjs';

const IN_FLIGHT = 8;
const ROUNDS = 3;
const WARM_UP = 3_000;

const KINDS = {
  probe: { method: 'GET', path: '/health/live', message: undefined, expect: 200 },
  refused: { method: 'POST', path: '/api/v1/chat/unified/stream', message: '', expect: 400 },
  // A stream holds its connection to the end, so each start comes on a new one, as in the sweep.
  start: { method: 'POST', path: '/api/v1/chat/unified/stream', message: 'How do I configure the Redis connection?', expect: 200, newConnection: true },
};

export async function admissionPass(backEnd, count) {
  const gateway = await startService('gateway', backEnd.env);
  try {
    const results = {};
    for (const [kind, spec] of Object.entries(KINDS)) {
      await send(gateway.port, spec, WARM_UP);
      await sleep(1_000);
      const perRequest = [];
      for (let r = 0; r < ROUNDS; r++) {
        const gatewayBefore = readProc(gateway.pid).cpuMs;
        const kernelBefore = readKernelMs(gateway.pid);
        const redisBefore = redisCpuMs(backEnd);
        await send(gateway.port, spec, count);
        await sleep(1_000); // what a closed connection sets off (unsubscribe, release) lands in the round
        perRequest.push({
          gatewayMs: (readProc(gateway.pid).cpuMs - gatewayBefore) / count,
          kernelMs: (readKernelMs(gateway.pid) - kernelBefore) / count,
          redisMs: (redisCpuMs(backEnd) - redisBefore) / count,
        });
      }
      results[kind] = {
        gatewayMs: round(median(perRequest.map((p) => p.gatewayMs)), 3),
        kernelMs: round(median(perRequest.map((p) => p.kernelMs)), 3),
        redisMs: round(median(perRequest.map((p) => p.redisMs)), 3),
        rounds: perRequest.map((p) => round(p.gatewayMs, 3)),
      };
    }
    return { count, rounds: ROUNDS, inFlight: IN_FLIGHT, results };
  } finally {
    await gateway.stop();
  }
}

/** CPU ms of the stack's Redis: its masters' summed on a cluster (--cluster). */
const redisCpuMs = (backEnd) => (backEnd.redisCluster?.masterPids ?? [backEnd.redis.pid]).reduce((a, pid) => a + readProc(pid).cpuMs, 0);

/** `count` requests of one kind, IN_FLIGHT at a time; throws when one is not answered as expected. */
async function send(port, spec, count) {
  let sent = 0;
  const agent = new http.Agent({ keepAlive: true });
  try {
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (sent < count) {
          // Every request has its own user: the per-user limits must not refuse any of them.
          const status = await request(port, spec, agent, `admission-${sent++}`);
          if (status !== spec.expect) throw new Error(`${spec.method} ${spec.path}: ${status}, expected ${spec.expect}`);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
}

function request(port, spec, agent, userId) {
  return new Promise((resolve, reject) => {
    const body = spec.message === undefined ? undefined : JSON.stringify({ message: spec.message, user_id: userId });
    const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = http.request({ host: '127.0.0.1', port, method: spec.method, path: spec.path, headers, agent: spec.newConnection ? false : agent }, (res) => {
      if (res.headers['content-type']?.startsWith('text/event-stream')) {
        let head = '';
        res.setEncoding('utf8');
        res.on('data', (text) => {
          head += text;
          if (head.includes('event: meta')) {
            req.destroy();
            resolve(res.statusCode);
          }
        });
        return;
      }
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}
