import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DoneEventData } from '@app/contracts';
import { until } from './support/until.js';
import { expectGapless } from './support/history-probe.js';
import { readStream } from './support/sse-reader.js';
import { TestStack } from './support/test-stack.js';

/** Pids of a process's children, from /proc (the gateway's forked workers). */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

describe('GATEWAY_WORKERS=2: gateway processes sharing one port', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.start({ env: { GATEWAY_WORKERS: '2', PACING_MS: '5' } });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  const ask = (user: string) => readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, { body: { message: 'How do I scale gateways?', user_id: user } });

  it('serves streams from two worker processes on the one port', async () => {
    expect(childrenOf(stack.gateway.pid!)).toHaveLength(2);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => ask(`workers-${i}`)));
    for (const res of results) {
      expect(res.json<DoneEventData>('done').status).toBe('completed');
      expectGapless(res.chunks.map((c) => c.seq));
    }
  }, 60_000);

  it('forks a new worker when one dies, and keeps serving meanwhile', async () => {
    const [victim, survivor] = childrenOf(stack.gateway.pid!);
    process.kill(victim, 'SIGKILL');
    // The survivor serves at once; only a client's kept-alive connection to the dead worker is reset.
    const served = await until(async () => (await ask('after-kill')).json<DoneEventData>('done').status === 'completed', 10_000, 'a stream served');
    expect(served).toBe(true);
    const workers = await until(async () => {
      const now = childrenOf(stack.gateway.pid!);
      return now.length === 2 && !now.includes(victim) ? now : undefined;
    }, 15_000, 'a new worker forked');
    expect(workers).toContain(survivor);
    expect((await ask('replaced')).json<DoneEventData>('done').status).toBe('completed');
  }, 60_000);
});
