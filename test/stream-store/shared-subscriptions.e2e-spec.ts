import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { commandConnection, waitReady } from '@app/platform';
import { StreamStore, StreamSubscriptions } from '@app/stream-store';
import type { Redis } from 'ioredis';
import { newAdmission } from '../support/admissions.js';
import { CountingRelay } from '../support/counting-relay.js';
import { TestRedis } from '../support/redis-server.js';
import { until } from '../support/until.js';

/**
 * On one Redis, a gateway's stream subscriptions ride its store's command connection (RESP3): a
 * stream start's SUBSCRIBE leaves in the same socket write as its admission, and the connection
 * keeps serving commands while it holds subscriptions. Seen from a TCP relay between the client and
 * a real redis-server, which counts the connections and the reads it gets from the client.
 */
describe('stream subscriptions on the command connection', () => {
  let server: TestRedis;
  let relay: CountingRelay;
  let observer: Redis;
  let store: StreamStore;
  let subscriptions: StreamSubscriptions;

  beforeAll(async () => {
    server = await TestRedis.start();
    observer = server.client();
    relay = await CountingRelay.to(server.port);
    const connection = commandConnection(relay.url, 'test:shared');
    connection.on('error', () => undefined);
    store = new StreamStore(connection, { prefix: 'shared-test', replayTtlS: 600, presenceTtlMs: 10_000, pacingMs: 30, bySlot: false });
    subscriptions = StreamSubscriptions.connect({ REDIS_URL: relay.url, REDIS_CLUSTER_NODES: undefined }, 'test:subscriber', store);
    await waitReady(connection, 10_000);
  });

  afterAll(async () => {
    subscriptions.onApplicationShutdown();
    store.onApplicationShutdown();
    observer.disconnect();
    await relay.close();
    await server.stop();
  });

  it('a start subscribes and admits in one write, on the one connection, and the chunks reach the listener', async () => {
    const streamId = randomUUID();
    const received: string[] = [];
    let outcome: unknown;
    const writes = await relay.readsDuring(async () => {
      [, outcome] = await Promise.all([subscriptions.subscribe(streamId, (entry) => received.push(entry)), store.admit(newAdmission({ streamId }))]);
    });
    expect(outcome).toEqual(['opened']);
    expect(writes).toBe(1);
    expect(relay.clientSockets).toHaveLength(1); // no subscriber connection of its own

    // Subscribed, the connection still runs the stream's commands, and its own publish comes back.
    await store.publishElp(streamId, { seq: 1, ethos: 0.1, logos: 0.2, pathos: 0.3 });
    await observer.publish(store.keys.channel(streamId), 'from another client');
    await until(async () => received.length === 2, 5_000, 'both published entries');
    expect(received[1]).toBe('from another client');
    expect(await store.connection.ping()).toBe('PONG');
    expect(subscriptions.channelCount).toBe(1);
  });

  it('unsubscribing the last listener leaves the channel; the connection keeps working', async () => {
    const streamId = randomUUID();
    const listener = () => undefined;
    await subscriptions.subscribe(streamId, listener);
    const channel = store.keys.channel(streamId);
    expect(await observer.pubsub('NUMSUB', channel)).toEqual([channel, 1]);
    subscriptions.unsubscribe(streamId, listener);
    await until(async () => ((await observer.pubsub('NUMSUB', channel)) as [string, number])[1] === 0, 5_000, 'the channel left');
    expect(await store.connection.ping()).toBe('PONG');
  });
});
