import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { kbVersionChannel, kbVersionKey } from '@app/contracts';
import { commandConnection, type AppConfig } from '@app/platform';
import type { Redis } from 'ioredis';
import { PublishedVersion } from '../../apps/generator/src/providers/knowledge/published-version.js';
import { KnowledgeVersionPublisher } from '../../apps/history/src/knowledge/knowledge-version.publisher.js';
import { TestRedis } from '../support/redis-server.js';
import { until } from '../support/until.js';

const PREFIX = 'kb-version-test';

/**
 * The knowledge-base version between history and a generator, on a private Redis: history sets
 * the key and announces it, the generator follows the announcements and reads the key only when it
 * connects, not once per turn.
 */
describe('the knowledge-base version, from history to generators', () => {
  let server: TestRedis;
  let probe: Redis;
  let history: KnowledgeVersionPublisher;
  let connection: Redis;
  let generator: PublishedVersion;

  beforeAll(async () => {
    server = await TestRedis.start();
    probe = server.client();
    history = new KnowledgeVersionPublisher({ REDIS_URL: server.url, REDIS_PREFIX: PREFIX } as AppConfig);
    connection = commandConnection(server.url, 'test:kb');
    connection.on('error', () => undefined);
    generator = new PublishedVersion(connection, kbVersionKey(PREFIX), kbVersionChannel(PREFIX));
    await until(async () => connection.status === 'ready' && history !== undefined, 10_000, 'connections');
  });

  afterAll(async () => {
    history.onApplicationShutdown();
    connection.disconnect();
    probe.disconnect();
    await server.stop();
  });

  /** The generator connection's reads of the key so far (MONITOR sees each command with its client's address). */
  let reads = 0;
  async function watchReads(): Promise<() => void> {
    const monitor = await probe.monitor();
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (args[0]?.toLowerCase() === 'get' && source.endsWith(`:${connection.stream.localPort}`)) reads += 1;
    });
    return () => monitor.disconnect();
  }
  async function keyReads(): Promise<number> {
    await probe.ping(); // MONITOR has passed on everything sent before this answer
    await new Promise((resolve) => setTimeout(resolve, 50));
    return reads;
  }

  it('follows each version history sets, and reads the key for none of the turns in between', async () => {
    const unwatch = await watchReads();
    await history.reset(3);
    await until(async () => (await generator.current()) === 3, 5_000, 'version 3 followed');
    const readsBefore = await keyReads();
    for (let turn = 0; turn < 50; turn++) expect(await generator.current()).toBe(3);
    expect(await keyReads()).toBe(readsBefore);

    await history.publish(4);
    await until(async () => (await generator.current()) === 4, 5_000, 'version 4 followed');
    expect(await probe.get(kbVersionKey(PREFIX))).toBe('4');
    // Only ever forward: an older change that lost a race announces nothing.
    await history.publish(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await generator.current()).toBe(4);
    expect(await keyReads()).toBe(readsBefore);
    unwatch();
  });

  it('reads the key again after Redis restarts empty, and follows history setting it again', async () => {
    await server.kill();
    // While Redis is down a turn gets no version (it answers from the knowledge base it has).
    await until(async () => (await generator.current()) === null, 5_000, 'no version while Redis is down');
    await server.launch();
    // History writes its version again once connected; the generator reads the key once
    // reconnected: either way it ends up following version 4.
    await until(async () => (await generator.current()) === 4, 15_000, 'version 4 followed after the restart');
    expect(await probe.get(kbVersionKey(PREFIX))).toBe('4');
    const unwatch = await watchReads();
    const readsBefore = await keyReads();
    for (let turn = 0; turn < 20; turn++) expect(await generator.current()).toBe(4);
    expect(await keyReads()).toBe(readsBefore);
    unwatch();
    await history.publish(5);
    await until(async () => (await generator.current()) === 5, 5_000, 'version 5 followed');
  }, 30_000);
});
