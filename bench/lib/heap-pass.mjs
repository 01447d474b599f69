// `npm run bench -- --heap[=N]`: what one open stream keeps alive in the gateway. Two heap
// snapshots of a fresh, warmed-up gateway (node --heapsnapshot-signal; each forces a full GC):
// before the level, and once all N streams are open; the difference per constructor ÷ N.
// Diagnostic only: a snapshot stops the gateway for a second or two. (Not SIGUSR2: Nest's
// enableShutdownHooks() treats it as a shutdown signal and the gateway exits.)
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heapByConstructor, perStreamGrowth } from './heap-snapshot.mjs';
import { startLoadGenerator } from './level.mjs';
import { sleep, until } from './ports.mjs';
import { startFrontEnd } from './stack.mjs';
import { stopChild } from './children.mjs';
import { warmUp } from './warm-up.mjs';

async function snapshot(gateway, dir) {
  const before = new Set(readdirSync(dir));
  gateway.child.kill('SIGWINCH');
  const file = await until(async () => readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f)), 60_000, 'heap snapshot');
  // Done once the gateway answers and the file has kept its (non-zero) size for 3 polls.
  let size = -1;
  let stable = 0;
  await until(async () => {
    const now = statSync(join(dir, file)).size;
    stable = now > 0 && now === size ? stable + 1 : 0;
    size = now;
    return stable >= 3 && (await fetch(`${gateway.url}/health/live`)).ok;
  }, 60_000, 'heap snapshot written');
  return join(dir, file);
}

export async function heapPass(backEnd, workload, n) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-heap-'));
  const front = await startFrontEnd(backEnd, 1, (app) => (app === 'gateway' ? ['--heapsnapshot-signal=SIGWINCH', `--diagnostic-dir=${dir}`] : []));
  const lg = startLoadGenerator();
  try {
    await warmUp(front.gateway, 'stack', workload.message);
    await sleep(1_000);
    const before = heapByConstructor(await snapshot(front.gateway, dir));
    // A slow ramp, so that every stream is admitted and open when the second snapshot is taken.
    const rampMs = 3_000;
    const streamTimeoutMs = workload.expectChunks * workload.pacingMs + 15_000;
    const result = lg.run({
      ...workload,
      port: front.gateway.port,
      path: '/api/v1/chat/unified/stream',
      n,
      tag: `heap-${Date.now()}`,
      rampMs,
      streamTimeoutMs,
      deadlineMs: rampMs + streamTimeoutMs + 1_000,
    });
    await sleep(rampMs + 600);
    const after = heapByConstructor(await snapshot(front.gateway, dir));
    const lgResult = await result;
    return { n, completed: lgResult.completed, ...perStreamGrowth(before, after, n) };
  } finally {
    await stopChild(lg.child, 1_000);
    await front.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
