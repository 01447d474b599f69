// `npm run bench -- --turn-cost[=COUNT]`: what a whole turn costs each process, warm and
// uncontended, split into a fixed part (its start and finish) and a part per chunk. A gateway and
// a generator run with PACING_MS=0 against the back end's Redis and history, and the bench sends
// them whole turns, IN_FLIGHT at a time, each read to `done`, of two kinds: a long reply (the
// sweep's question, 138 chunks) and a shorter one from the same retrieval (55 chunks). Each
// process's CPU (from /proc) ÷ turns, for both, fitted as fixed + chunks × per chunk. The sweep's
// start and finish are the same fixed part, measured in a ramp that fills the machine; this one
// prices it alone, so that an A/B of a turn's edges sees small differences. Without pacing, each
// chunk is its own call (not a pacing slot's batch), so the per-chunk part is not the sweep's.
import http from 'node:http';
import { readProc } from './proc-sampler.mjs';
import { sleep } from './ports.mjs';
import { startService } from './stack.mjs';
import { median, round } from './stats.mjs';

const IN_FLIGHT = 8;
const ROUNDS = 3;
const WARM_UP = 1_000;
/** Answered from the knowledge base like the sweep's question, in 55 chunks instead of 138. */
const SHORT_QUESTION = 'What is PACING_MS?';

export async function turnCostPass(backEnd, longQuestion, count) {
  const env = { ...backEnd.env, PACING_MS: '0' };
  const [gateway, generator] = await Promise.all([startService('gateway', env), startService('generator', env)]);
  try {
    const readers = { gateway: () => readProc(gateway.pid), generator: () => readProc(generator.pid), ...readersOf(backEnd.pids()) };
    const kinds = {};
    for (const [kind, question] of Object.entries({ long: longQuestion, short: SHORT_QUESTION })) {
      await sendTurns(gateway.port, question, WARM_UP);
      await sleep(1_500); // history's last writes of the warm-up
      const rounds = [];
      for (let r = 0; r < ROUNDS; r++) {
        const before = cpuOf(readers);
        const chunks = await sendTurns(gateway.port, question, count);
        await sleep(1_500); // what the turns' ends set off (history's writes, releases) lands in the round
        const after = cpuOf(readers);
        rounds.push({ chunks: chunks / count, perTurnMs: Object.fromEntries(Object.keys(readers).map((name) => [name, (after[name] - before[name]) / count])) });
      }
      kinds[kind] = {
        chunks: round(median(rounds.map((r) => r.chunks)), 1),
        perTurnMs: Object.fromEntries(Object.keys(readers).map((name) => [name, round(median(rounds.map((r) => r.perTurnMs[name])), 3)])),
        rounds: rounds.map((r) => round(sum(r.perTurnMs), 3)),
      };
    }
    return { count, rounds: ROUNDS, inFlight: IN_FLIGHT, kinds, fit: splitFixedAndPerChunk(kinds.long, kinds.short) };
  } finally {
    await Promise.all([gateway.stop(), generator.stop()]);
  }
}

/** Per process: fixed ms per turn and µs per chunk, from the two kinds' costs and chunk counts. */
function splitFixedAndPerChunk(long, short) {
  const perChunk = {};
  const fixed = {};
  for (const name of Object.keys(long.perTurnMs)) {
    const slope = (long.perTurnMs[name] - short.perTurnMs[name]) / (long.chunks - short.chunks);
    perChunk[name] = round(slope * 1000, 1);
    fixed[name] = round(short.perTurnMs[name] - slope * short.chunks, 3);
  }
  return { fixedMs: fixed, perChunkUs: perChunk, fixedTotalMs: round(sum(fixed), 3) };
}

/** The back end's pids as readers (PostgreSQL's is one already: its process tree). */
function readersOf(pids) {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, typeof pid === 'function' ? pid : () => readProc(pid)]));
}

const cpuOf = (readers) => Object.fromEntries(Object.entries(readers).map(([name, read]) => [name, read()?.cpuMs ?? 0]));
const sum = (byName) => Object.values(byName).reduce((a, v) => a + v, 0);

/** `count` turns, IN_FLIGHT at a time, each read to `done`; returns the chunks received in all. */
async function sendTurns(port, question, count) {
  let sent = 0;
  let chunks = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (sent < count) {
        // Every turn has its own user: the per-user limits must not refuse any of them.
        const received = await turn(port, question, `turn-cost-${Date.now()}-${sent++}`);
        chunks += received;
      }
    }),
  );
  return chunks;
}

/** One turn on its own connection, read to the end; resolves with its chunk count (from `done`). */
function turn(port, question, userId) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ message: question, user_id: userId });
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/chat/unified/stream', headers, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (piece) => (text += piece));
      res.on('end', () => {
        const done = /event: done\nid: \d+\ndata: (.*)\n/.exec(text);
        if (!done) return reject(new Error('stream ended without done'));
        resolve(JSON.parse(done[1]).chunks);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
