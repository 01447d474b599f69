import { commandConnection, waitReady } from '@app/platform';
import type { Redis } from 'ioredis';
import { CountingRelay } from '../support/counting-relay.js';
import { TestRedis } from '../support/redis-server.js';
import { until } from '../support/until.js';

/**
 * A command connection sends the commands of one turn of the event loop in one socket write
 * (CoalescingRedis), and each turn's commands without waiting for the next. Seen from a TCP relay
 * between the client and a real redis-server, which counts the reads it gets from the client.
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

  it('sends the commands of all the callbacks of one turn of the event loop in one write', async () => {
    // Counted at the client's socket: the relay, in this process, reads only after the turn, so it
    // would see one read whatever the client wrote.
    const socket = redis.stream as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
    let writes = 0;
    const { _write: write, _writev: writev } = socket;
    socket._write = (...a) => (writes++, write.apply(socket, a));
    socket._writev = (...a) => (writes++, writev.apply(socket, a));
    try {
      // Each command from the next tick's callback, as each request or reply a busy turn handles
      // runs in a tick of its own (the old connection uncorked when a tick ended: ten writes).
      const sets: Promise<unknown>[] = [];
      await new Promise<void>((resolve) => {
        const issue = (i: number) => {
          sets.push(redis.set(`turn:${i}`, String(i)));
          if (i < 9) process.nextTick(issue, i + 1);
          else resolve();
        };
        issue(0);
      });
      await Promise.all(sets);
    } finally {
      socket._write = write;
      socket._writev = writev;
    }
    expect(writes).toBe(1);
    expect(await redis.mget(...Array.from({ length: 10 }, (_, i) => `turn:${i}`))).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
  });

  it('does not hold a command back for a later turn: one write per awaited command', async () => {
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
