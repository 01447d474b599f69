// A fresh process is cold: its JIT has not optimised the paths a stream takes, modules load
// lazily, BullMQ loads its scripts. Measured on the stack, a generator spends about twice the CPU
// per chunk on its first hundred streams as on later ones, and V8's optimising compiler stays busy
// well after that (under perf, 12-15% of the stack's CPU 12 s into a run, under 1% after 56 s).
// A long-running service is warm, so before measuring, each level runs whole streams (start,
// every chunk, finish, history write) through the same paths the level will take: 400 of them
// over 4 s, the same for every series. Against one round of 100 over 1 s, that took the stack's
// CPU per turn in the level 2.5% lower relative to the load generator's (three alternated pairs,
// ~250 open); the RSS baseline then also includes what those paths allocate once.
import { sleep } from './ports.mjs';

async function warmOne(server, message, userId) {
  const res = await fetch(`${server.url}/api/v1/chat/unified/stream`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ message, user_id: userId }),
  });
  if (!res.ok) throw new Error(`warm-up stream answered ${res.status}`);
  for await (const _part of res.body) {
    // read to the end: the whole stream is the path to warm
  }
}

/** `count` streams started evenly over `rampMs` and read to the end, as the level will. */
export async function warmUp(server, kind, message, { count = 400, rampMs = 4_000 } = {}) {
  const tag = `bench-warm-${Date.now()}`;
  await Promise.allSettled(
    Array.from({ length: count }, (_, i) => sleep((rampMs * i) / count).then(() => warmOne(server, message, `${tag}-${i}`))),
  );
  await sleep(kind === 'stack' ? 1_500 : 300); // history writes drain, timers settle
}
