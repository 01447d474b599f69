import { commandConnection, waitReady } from '@app/platform';
import type { Redis } from 'ioredis';
import { CountingRelay } from '../support/counting-relay.js';
import { TestRedis } from '../support/redis-server.js';
import { until } from '../support/until.js';

/**
 * A command connection sends the commands of one tick in one socket write (CoalescingRedis), and
 * each tick's commands without waiting for the next. Seen from a TCP relay between the client and
 * a real redis-server, which counts the reads it gets from the client.
 */
describe('command connection writes', () => {
  let server: TestRedis;
  let relay: CountingRelay;
  let redis: Redis;

  beforeAll(async () => {
    server = await TestRedis.start();
    relay = await CountingRelay.to(server.port);
    redis = commandConnection(relay.url, 'test:coalesced');
    redis.on('error', () => undefined);
    await waitReady(redis, 10_000);
  });

  afterAll(async () => {
    await redis.quit();
    await relay.close();
    await server.stop();
  });

  const readsDuring = (work: () => Promise<unknown>) => relay.readsDuring(work);

  it('sends 50 commands issued in one tick in one write, and each gets its own answer', async () => {
    let answers: unknown[] = [];
    const count = await readsDuring(async () => {
      answers = await Promise.all(Array.from({ length: 50 }, (_, i) => redis.set(`coalesced:${i}`, String(i)).then(() => redis.get(`coalesced:${i}`))));
    });
    expect(answers).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    // The 50 SETs leave together, then the 50 GETs issued as their answers arrive (one read of
    // answers is one tick): two writes, perhaps a few more if the answers arrive in pieces.
    expect(count).toBeGreaterThanOrEqual(2);
    expect(count).toBeLessThanOrEqual(6);
  });

  it('does not hold a command back for a later tick: one write per awaited command', async () => {
    const count = await readsDuring(async () => {
      for (let i = 0; i < 10; i++) expect(await redis.incr('coalesced:counter')).toBe(i + 1);
    });
    expect(count).toBe(10);
  });

  it('coalesces again on the new socket after the connection was lost', async () => {
    for (const socket of relay.clientSockets) socket.destroy();
    await until(async () => redis.status === 'ready' && (await redis.ping()) === 'PONG', 10_000, 'reconnected');
    const count = await readsDuring(() => Promise.all(Array.from({ length: 20 }, (_, i) => redis.set(`after:${i}`, 'x'))));
    expect(count).toBe(1);
    expect(await redis.mget(...Array.from({ length: 20 }, (_, i) => `after:${i}`))).toEqual(Array(20).fill('x'));
  });
});
