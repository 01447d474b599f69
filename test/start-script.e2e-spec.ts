import { connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import type { DoneEventData, MetaEventData } from '@app/contracts';
import { freePort } from './support/free-port.js';
import { until } from './support/until.js';
import { expectGapless, storedReply } from './support/history-probe.js';
import { NpmStart } from './support/npm-start.js';
import { generationJobs } from './support/queue-inspector.js';
import { readStream, type ReceivedEvent } from './support/sse-reader.js';

const question = { message: 'How do I configure the Redis connection?', user_id: 'first-run' };
const chunkCount = (events: ReceivedEvent[]) => events.filter((e) => e.event === undefined).length;

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** This machine's address on a real network interface, as another host would reach it. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it('starts a private Redis and two generators, keeps the internal services private, and drains a running stream on Ctrl+C', async () => {
    // Port 7000 as documented; only if something else holds it (a developer's own `npm start`) another one.
    const port = (await portIsFree(7000)) ? 7000 : await freePort();
    const product = await NpmStart.start(port, { PACING_MS: '10' });
    let exitCode: number | null = null;
    try {
      expect(product.text).toMatch(/starting a private redis-server on port \d+/);
      expect(product.started('generator')).toEqual(['generator-1', 'generator-2']);

      const res = await readStream(`${product.url}/api/v1/chat/unified/stream`, { body: question });
      expect(res.status).toBe(200);
      const done = res.json<DoneEventData>('done');
      expect(done.status).toBe('completed');
      expect(done.persisted).toBe(true);
      expect(res.chunks.length).toBeGreaterThan(10);

      // History (unauthenticated routes) and the generators answer on loopback only; the gateway everywhere.
      const address = externalAddress();
      if (address) {
        const [history] = product.launches('history');
        const generators = [...product.launches('generator-1'), ...product.launches('generator-2')];
        expect(await accepts('127.0.0.1', history.port!)).toBe(true);
        expect(await accepts(address, history.port!)).toBe(false);
        for (const g of generators) expect(await accepts(address, g.port!)).toBe(false);
        expect(await accepts(address, port)).toBe(true);
      }

      // Ctrl+C while a stream runs: the gateway drains it, history stays up to store it.
      let interrupted: Promise<number | null> | undefined;
      const draining = await readStream(`${product.url}/api/v1/chat/unified/stream`, {
        body: { ...question, user_id: 'ctrl-c' },
        timeoutMs: 60_000,
        stopWhen: (events) => {
          if (!interrupted && chunkCount(events) >= 5) interrupted = product.interrupt();
          return false;
        },
      });
      expect(interrupted).toBeDefined();
      const drained = draining.json<DoneEventData>('done');
      expect(drained.status).toBe('completed');
      expect(drained.persisted).toBe(true);
      expectGapless(draining.chunks.map((c) => c.seq));
      exitCode = await interrupted!;
    } finally {
      if (exitCode === null) exitCode = await product.interrupt();
    }
    expect(exitCode).toBe(0);
    expect(product.text).toContain('[start] stopped');
    // Everything it started is gone, the private Redis included.
    await expect(fetch(`${product.url}/health/live`)).rejects.toThrow();
    const [redis] = product.launches('redis');
    expect(pidAlive(redis.pid)).toBe(false);
  }, 180_000);

  it('GENERATORS=3 starts three; a generator SIGKILLed mid-stream is restarted, and its stream completes gapless, equal to history', async () => {
    const product = await NpmStart.start(await freePort(), { GENERATORS: '3', PACING_MS: '30' });
    try {
      const names = product.started('generator');
      expect(names).toEqual(['generator-1', 'generator-2', 'generator-3']);

      let killed: Promise<string> | undefined;
      const res = await readStream(`${product.url}/api/v1/chat/unified/stream`, {
        body: { ...question, user_id: 'sigkill' },
        timeoutMs: 60_000,
        stopWhen: (events) => {
          if (!killed && chunkCount(events) >= 8) {
            const meta = JSON.parse(events.find((e) => e.event === 'meta')!.data) as MetaEventData;
            killed = generationJobs(product.redisUrl, 'starttest', [meta.stream_id]).then(([job]) => {
              // BullMQ names the worker that holds the job; the generators name their workers by pid.
              const holder = names.find((name) => product.launches(name).some((l) => job.processedBy?.endsWith(`-${l.pid}`)));
              if (!holder) throw new Error(`no generator holds ${meta.stream_id} (processedBy ${job.processedBy})`);
              process.kill(product.launches(holder)[0].pid, 'SIGKILL');
              return holder;
            });
          }
          return false;
        },
      });
      const victim = await killed!;
      const done = res.json<DoneEventData>('done');
      expect(done.status).toBe('completed');
      expectGapless(res.chunks.map((c) => c.seq));
      const meta = res.json<MetaEventData>('meta');
      expect((await storedReply(product.url, meta.session_id, meta.stream_id)).content).toBe(res.chunks.map((c) => c.text).join(''));

      // The supervisor said why it exited and brought it back on the same port, ready to work.
      await product.waitFor(new RegExp(`${victim} exited unexpectedly \\(killed by SIGKILL`), 10_000);
      await product.waitFor(new RegExp(`${victim} restarted \\(restart 1\\)`), 10_000);
      const [first, second] = product.launches(victim);
      expect(second.pid).not.toBe(first.pid);
      expect(second.port).toBe(first.port);
      await until(async () => (await fetch(`http://127.0.0.1:${second.port}/health/ready`)).ok, 30_000, `${victim} ready again`);
      // The others kept serving throughout, and nothing else was restarted.
      expect(product.text).not.toMatch(/(gateway|history|redis) exited unexpectedly/);
    } finally {
      expect(await product.interrupt()).toBe(0);
    }
  }, 180_000);
});
