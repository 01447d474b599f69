import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { StreamKeys, StreamStore, type Admission } from '@app/stream-store';
import type { Redis } from 'ioredis';
import { newAdmission } from '../support/admissions.js';
import { storeOnTestRedis, type StoreOnTestRedis } from '../support/store-on-test-redis.js';

/**
 * The admission's outcomes against a real Redis: what it answers, and what it leaves written. Run
 * twice: as one script (one Redis), and split by slot as on a Redis Cluster (two claims and the meta
 * write, undone when a part refuses), which must answer the same.
 */
describe.each([
  ['one script', false],
  ['split by slot', true],
])('StreamStore.admit (%s)', (_mode, bySlot) => {
  let fixture: StoreOnTestRedis;
  let redis: Redis;
  let store: StreamStore;
  const keys = new StreamKeys('admit-test');

  beforeAll(async () => {
    fixture = await storeOnTestRedis('admit-test', bySlot);
    ({ redis, store } = fixture);
  });

  afterAll(() => fixture.stop());

  /** Every key the script may write for this admission that exists now. */
  async function written(a: Admission): Promise<string[]> {
    const candidates = [keys.sessionActive(a.sessionId), keys.meta(a.streamId), keys.presence(a.streamId), keys.userStreams(a.userId)];
    const exists = await Promise.all(candidates.map((key) => redis.exists(key)));
    return candidates.filter((_, i) => exists[i] === 1);
  }

  it('opens a new session: owner claimed, slot, meta, presence and user slot written', async () => {
    const a = newAdmission({ userLimit: 3 });
    expect(await store.admit(a)).toEqual(['opened']);
    expect(await redis.get(keys.sessionOwner(a.sessionId))).toBe(a.userId);
    expect(await redis.get(keys.sessionActive(a.sessionId))).toBe(a.streamId);
    expect(await redis.hgetall(keys.meta(a.streamId))).toEqual({ user_id: a.userId, session_id: a.sessionId, status: 'running', created_at: a.createdAt });
    expect(await redis.pttl(keys.presence(a.streamId))).toBeGreaterThan(9_000);
    expect(await redis.zscore(keys.userStreams(a.userId), a.streamId)).not.toBeNull();
  });

  it('asks for the owner of an uncached session, then caches what it is given', async () => {
    const a = newAdmission({ newSession: false });
    expect(await store.admit(a)).toEqual(['owner_unknown']);
    expect(await written(a)).toEqual([]);
    expect(await store.admit({ ...a, ownerIfUncached: a.userId })).toEqual(['opened']);
    expect(await redis.get(keys.sessionOwner(a.sessionId))).toBe(a.userId);
  });

  it("refuses another user's session and writes nothing", async () => {
    const a = newAdmission({ newSession: false });
    await redis.set(keys.sessionOwner(a.sessionId), 'someone-else');
    expect(await store.admit(a)).toEqual(['not_owner']);
    expect(await written(a)).toEqual([]);
  });

  it('names the running stream of a busy session, and takes over a stale claim once released', async () => {
    const first = newAdmission();
    await store.admit(first);
    const second = newAdmission({ sessionId: first.sessionId, userId: first.userId, newSession: false });
    expect(await store.admit(second)).toEqual(['busy', first.streamId]);
    expect(await redis.exists(keys.meta(second.streamId))).toBe(0);
    await store.releaseStaleClaim(first.sessionId, 'not-the-running-one');
    expect(await store.admit(second)).toEqual(['busy', first.streamId]);
    await store.releaseStaleClaim(first.sessionId, first.streamId);
    expect(await store.admit(second)).toEqual(['opened']);
  });

  it("refuses at the gateway's cap and at the user's cap, writing no slot", async () => {
    const full = newAdmission({ gatewayFull: true });
    expect(await store.admit(full)).toEqual(['gateway_full']);
    expect(await written(full)).toEqual([]);

    const userId = `user-${randomUUID()}`;
    expect(await store.admit(newAdmission({ userId, userLimit: 1 }))).toEqual(['opened']);
    const over = newAdmission({ userId, userLimit: 1 });
    expect(await store.admit(over)).toEqual(['user_full']);
    expect(await redis.zcard(keys.userStreams(userId))).toBe(1);
    expect(await redis.exists(keys.meta(over.streamId))).toBe(0);
  });

  it('frees a user slot older than a stream can live (a crashed stream)', async () => {
    const userId = `user-${randomUUID()}`;
    await redis.zadd(keys.userStreams(userId), Date.now() - 120_000, 'crashed-stream');
    expect(await store.admit(newAdmission({ userId, userLimit: 1 }))).toEqual(['opened']);
    expect(await redis.zscore(keys.userStreams(userId), 'crashed-stream')).toBeNull();
  });

  it('counts requests per window, first of all checks, and answers the time left when over', async () => {
    const userId = `user-${randomUUID()}`;
    const limited = (overrides: Partial<Admission> = {}) => newAdmission({ userId, countRequest: true, requestLimit: 2, requestWindowMs: 5_000, ...overrides });
    expect(await store.admit(limited())).toEqual(['opened']);
    expect(await store.admit(limited({ newSession: false, ownerIfUncached: '' }))).toEqual(['owner_unknown']);
    // A call again for the same request is not counted.
    expect(await store.admit(limited({ countRequest: false, newSession: false, ownerIfUncached: userId }))).toEqual(['opened']);
    const third = limited({ gatewayFull: true });
    const [outcome, msLeft] = await store.admit(third);
    expect(outcome).toBe('rate_limited');
    expect(Number(msLeft)).toBeGreaterThan(0);
    expect(Number(msLeft)).toBeLessThanOrEqual(5_000);
    expect(await written(third)).toEqual([]);
    expect(await redis.get(keys.userRequests(userId))).toBe('3');
  });

  it('undoes an admission whose stream never started', async () => {
    const a = newAdmission({ userLimit: 2 });
    await store.admit(a);
    await store.abandon(a);
    expect(await written(a)).toEqual([]);
    expect(await redis.get(keys.sessionOwner(a.sessionId))).toBe(a.userId); // the session stays the user's
  });
});
