import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeEntry, EntryKind, StreamKeys, StreamStore } from '@app/stream-store';
import type { Redis } from 'ioredis';
import { newAdmission } from '../support/admissions.js';
import { storeOnTestRedis, type StoreOnTestRedis } from '../support/store-on-test-redis.js';

/**
 * The end of a stream against a real Redis: the terminal entry once, and the session's and user's
 * slots freed with it, so a client that has read `done` can start the session's next turn. Run on
 * one Redis (one script call) and split by slot as on a Redis Cluster (the slots freed by calls of
 * their own), which must leave the same.
 */
describe.each([
  ['one script', false],
  ['split by slot', true],
])('StreamStore.finish (%s)', (_mode, bySlot) => {
  let fixture: StoreOnTestRedis;
  let redis: Redis;
  let store: StreamStore;
  const keys = new StreamKeys('finish-test');

  beforeAll(async () => {
    fixture = await storeOnTestRedis('finish-test', bySlot);
    ({ redis, store } = fixture);
  });

  afterAll(() => fixture.stop());

  it('ends the stream once, with done in its log and status, and frees its slots either time', async () => {
    const a = newAdmission({ userLimit: 3 });
    expect(await store.admit(a)).toEqual(['opened']);

    expect(await store.finish(a, EntryKind.Done, 0, { status: 'completed' }, 'completed')).toBe(true);
    const log = await redis.lrange(keys.log(a.streamId), 0, -1);
    expect(log.map((raw) => decodeEntry(raw))).toEqual([{ kind: EntryKind.Done, seq: 0, data: '{"status":"completed"}' }]);
    expect(await redis.hget(keys.meta(a.streamId), 'status')).toBe('completed');
    expect(await redis.ttl(keys.log(a.streamId))).toBeGreaterThan(500);
    expect(await redis.get(keys.sessionActive(a.sessionId))).toBeNull();
    expect(await redis.zscore(keys.userStreams(a.userId), a.streamId)).toBeNull();

    // Ended already: nothing is appended, and there is still nothing to free.
    expect(await store.finish(a, EntryKind.Error, 0, { code: 'late' }, 'failed')).toBe(false);
    expect(await redis.llen(keys.log(a.streamId))).toBe(1);
    expect(await redis.hget(keys.meta(a.streamId), 'status')).toBe('completed');
  });

  it("leaves the session's slot to the stream that holds it now, and the user's other streams", async () => {
    const first = newAdmission({ userLimit: 3 });
    expect(await store.admit(first)).toEqual(['opened']);
    const other = newAdmission({ userId: first.userId, userLimit: 3 });
    expect(await store.admit(other)).toEqual(['opened']);
    // A later stream of the same session holds its slot (the first one's claim was taken over).
    await redis.set(keys.sessionActive(first.sessionId), 'a-later-stream');

    expect(await store.finish(first, EntryKind.Done, 0, {}, 'completed')).toBe(true);
    expect(await redis.get(keys.sessionActive(first.sessionId))).toBe('a-later-stream');
    expect(await redis.zscore(keys.userStreams(first.userId), first.streamId)).toBeNull();
    expect(await redis.zscore(keys.userStreams(first.userId), other.streamId)).not.toBeNull();
    expect(await redis.get(keys.sessionActive(other.sessionId))).toBe(other.streamId);
  });
});
