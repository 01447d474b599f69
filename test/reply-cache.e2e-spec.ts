import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DoneEventData, MetaEventData } from '@app/contracts';
import { ReplyCacheKeys } from '@app/reply-cache';
import { Redis } from 'ioredis';
import { until } from './support/until.js';
import { expectGapless, sessionHistory, storedReply } from './support/history-probe.js';
import { MetricsScrape } from './support/metrics-scrape.js';
import { generationJobCount } from './support/queue-inspector.js';
import { ServiceProcess } from './support/service-process.js';
import { readStream, type StreamResult } from './support/sse-reader.js';
import { TestStack } from './support/test-stack.js';

// The response cache of docs/api.md §1 "Response cache": a hit streams without a generation job,
// and behaves like a generated reply for resume, cancel, history and ELP.

const textOf = (res: StreamResult) => res.chunks.map((c) => c.text).join('');

/** A question of its own per test, so no test finds another's entry. */
let questions = 0;
const question = (topic = 'How do I configure the Redis connection?') => `${topic} (${++questions})`;

function streamer(url: () => string) {
  return (body: Record<string, unknown>, stopAfterChunks?: number) =>
    readStream(`${url()}/api/v1/chat/unified/stream`, {
      body,
      stopWhen: stopAfterChunks === undefined ? undefined : (events) => events.filter((e) => e.event === undefined).length >= stopAfterChunks,
    });
}

describe('response cache, CACHE_SCOPE=global', () => {
  let stack: TestStack;
  let a: string;
  let b: string;
  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2, env: { CACHE_SCOPE: 'global', PACING_MS: '20', DISCONNECT_GRACE_MS: '5000' } });
    [a, b] = stack.gateways.map((g) => g.url);
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  const stream = streamer(() => a);
  const jobs = () => generationJobCount(stack.redis.url, stack.env.REDIS_PREFIX);

  it('answers the same question in a second new session from the cache: same chunks, no job, stored once with ELP', async () => {
    const message = question();
    const first = await stream({ message, user_id: 'asker-1' });
    const firstDone = first.json<DoneEventData>('done');
    expect(firstDone).toMatchObject({ status: 'completed', cached: false });
    const jobsBefore = await jobs();
    const hitsBefore = (await MetricsScrape.of(a)).value('chat_reply_cache_lookups_total', '{result="hit"}');

    const second = await stream({ message, user_id: 'asker-2' });
    const done = second.json<DoneEventData>('done');
    const meta = second.json<MetaEventData>('meta');
    expect(done).toMatchObject({ status: 'completed', cached: true, persisted: true, chunks: firstDone.chunks, session_id: meta.session_id });
    expect(meta.session_id).not.toBe(firstDone.session_id);
    expect(await jobs()).toBe(jobsBefore);
    expect((await MetricsScrape.of(a)).value('chat_reply_cache_lookups_total', '{result="hit"}')).toBe(hitsBefore + 1);

    // The same words under the same seq rules, paced, with ELP snapshots every 20 chunks.
    expect(second.chunks.map((c) => c.text)).toEqual(first.chunks.map((c) => c.text));
    expectGapless(second.chunks.map((c) => c.seq));
    second.chunks.forEach((c) => expect(c.id).toBe(String(c.seq)));
    expect(second.named('elp').map((e) => JSON.parse(e.data).seq)).toEqual(second.chunks.filter((c) => c.seq % 20 === 0).map((c) => c.seq));
    // The snapshots are the generator's own, kept with the entry.
    const snapshotsOf = (res: StreamResult) => res.named('elp').map((e) => JSON.parse(e.data) as unknown);
    expect(snapshotsOf(second)).toEqual(snapshotsOf(first));
    expect(done.elp).toEqual(firstDone.elp);
    expect(done.sources).toEqual(firstDone.sources);
    expect(done.stats.tokens).toBe(done.chunks);
    expect(second.chunks[second.chunks.length - 1].at - second.chunks[0].at).toBeGreaterThanOrEqual((done.chunks - 1) * 20 * 0.8);

    // History holds the turn once: the user's message and the reply, with its ELP.
    const stored = await storedReply(a, meta.session_id, meta.stream_id);
    expect(stored).toMatchObject({ content: textOf(second), status: 'completed', elp: done.elp });
    const history = await sessionHistory(a, meta.session_id);
    expect(history.messages.map((m) => [m.role, m.stream_id])).toEqual([
      ['user', meta.stream_id],
      ['assistant', meta.stream_id],
    ]);
    expect(history.messages[0].content).toBe(message);
  }, 60_000);

  it('plays an entry written without ELP snapshots with the same snapshots, worked out as it goes', async () => {
    const message = question('What does the knowledge base hold about pacing?');
    const first = await stream({ message, user_id: 'older-entry-1' });
    const redis = new Redis(stack.redis.url);
    try {
      // The entry as a generator from before snapshots were kept would have written it
      // (entries are `<prefix>:reply:{<hash>}`).
      let stripped = 0;
      for (const candidate of await redis.keys(`${stack.env.REDIS_PREFIX}:reply:{*}`)) {
        const entry = JSON.parse((await redis.get(candidate)) ?? '{}') as { chunks?: string[]; elp_snapshots?: unknown };
        if (entry.chunks?.join('') !== textOf(first)) continue;
        expect(entry.elp_snapshots).toHaveLength(Math.floor(entry.chunks.length / 20));
        delete entry.elp_snapshots;
        await redis.set(candidate, JSON.stringify(entry), 'KEEPTTL');
        stripped += 1;
      }
      expect(stripped).toBe(1);
    } finally {
      redis.disconnect();
    }
    const second = await stream({ message, user_id: 'older-entry-2' });
    expect(second.json<DoneEventData>('done')).toMatchObject({ status: 'completed', cached: true });
    const snapshotsOf = (res: StreamResult) => res.named('elp').map((e) => JSON.parse(e.data) as unknown);
    expect(snapshotsOf(second).length).toBeGreaterThan(0);
    expect(snapshotsOf(second)).toEqual(snapshotsOf(first));
  }, 60_000);

  it('resumes a cached stream mid-replay on another gateway without duplicating or losing chunks', async () => {
    const message = question();
    const full = await stream({ message, user_id: 'resume-1' });
    const head = await stream({ message, user_id: 'resume-2' }, 5);
    const meta = head.json<MetaEventData>('meta');
    const last = head.chunks[head.chunks.length - 1].seq;
    const rest = await readStream(`${b}/api/v1/chat/streams/${meta.stream_id}`, { headers: { 'Last-Event-ID': String(last) } });
    const done = rest.json<DoneEventData>('done');
    expect(done).toMatchObject({ status: 'completed', cached: true });
    const chunks = [...head.chunks, ...rest.chunks];
    expectGapless(chunks.map((c) => c.seq));
    expect(chunks.map((c) => c.text).join('')).toBe(textOf(full));
    expect((await storedReply(a, meta.session_id, meta.stream_id)).content).toBe(textOf(full));
  }, 60_000);

  it('cancels a cached stream from another gateway: done(cancelled), the sent part stored as cancelled', async () => {
    const message = question();
    const full = await stream({ message, user_id: 'cancel-1' });
    let streamId = '';
    const main = readStream(`${a}/api/v1/chat/unified/stream`, {
      body: { message, user_id: 'cancel-2' },
      stopWhen: (events) => {
        const meta = events.find((e) => e.event === 'meta');
        if (meta) streamId = JSON.parse(meta.data).stream_id;
        if (events.filter((e) => e.event === undefined).length === 3) void fetch(`${b}/api/v1/chat/streams/${streamId}/cancel`, { method: 'POST' });
        return false;
      },
    });
    const res = await main;
    const done = res.json<DoneEventData>('done');
    expect(done).toMatchObject({ status: 'cancelled', cached: true, chunks: res.chunks.length });
    expect(res.chunks.length).toBeGreaterThanOrEqual(3);
    expect(res.chunks.length).toBeLessThan(full.chunks.length);
    expectGapless(res.chunks.map((c) => c.seq));
    const stored = await storedReply(a, done.session_id, done.stream_id);
    expect(stored).toMatchObject({ status: 'cancelled', content: textOf(res) });
    expect((await fetch(`${a}/api/v1/chat/streams/${streamId}/cancel`, { method: 'POST' })).status).toBe(409);
  }, 60_000);

  it('does not cache a reply that was cancelled', async () => {
    const message = question();
    let streamId = '';
    const cancelled = await readStream(`${a}/api/v1/chat/unified/stream`, {
      body: { message, user_id: 'cut-1' },
      stopWhen: (events) => {
        const meta = events.find((e) => e.event === 'meta');
        if (meta) streamId = JSON.parse(meta.data).stream_id;
        if (events.filter((e) => e.event === undefined).length === 2) void fetch(`${a}/api/v1/chat/streams/${streamId}/cancel`, { method: 'POST' });
        return false;
      },
    });
    expect(cancelled.json<DoneEventData>('done')).toMatchObject({ status: 'cancelled', cached: false });
    const again = await stream({ message, user_id: 'cut-2' });
    expect(again.json<DoneEventData>('done')).toMatchObject({ status: 'completed', cached: false });
    // The complete reply is cached in its turn.
    expect((await stream({ message, user_id: 'cut-3' })).json<DoneEventData>('done').cached).toBe(true);
  }, 60_000);

  it('never caches a turn with private input: request passages or an earlier turn in the session', async () => {
    const message = question();
    const context = ['Our private Redis runs on redis-internal.example:6380 with TLS.'];
    const first = await stream({ message, user_id: 'private-a', context });
    expect(first.json<DoneEventData>('done').cached).toBe(false);
    const jobsBefore = await jobs();
    for (const user of ['private-b', 'private-a']) {
      const again = await stream({ message, user_id: user, context });
      expect(again.json<DoneEventData>('done').cached).toBe(false);
    }
    expect(await jobs()).toBe(jobsBefore + 2);
    // A question asked without the passages is another turn: never the private one's reply.
    const plain = await stream({ message, user_id: 'private-b' });
    expect(plain.json<DoneEventData>('done').cached).toBe(false);
    expect(textOf(plain)).not.toContain('redis-internal');

    // A second turn of a session has its first turn as context: not cached, even when repeated.
    const sessionId = first.json<DoneEventData>('done').session_id;
    const followUp = question('Tell me more');
    await stream({ message: followUp, user_id: 'private-a', session_id: sessionId });
    const repeated = await stream({ message: followUp, user_id: 'private-a', session_id: sessionId });
    expect(repeated.json<DoneEventData>('done').cached).toBe(false);
  }, 60_000);

  it('answers fresh after a knowledge-base version change', async () => {
    const message = question();
    await stream({ message, user_id: 'kb-1' });
    expect((await stream({ message, user_id: 'kb-2' })).json<DoneEventData>('done').cached).toBe(true);
    const redis = new Redis(stack.redis.url);
    try {
      await redis.incr(new ReplyCacheKeys(stack.env.REDIS_PREFIX).kbVersion());
    } finally {
      redis.disconnect();
    }
    const jobsBefore = await jobs();
    expect((await stream({ message, user_id: 'kb-3' })).json<DoneEventData>('done').cached).toBe(false);
    expect(await jobs()).toBe(jobsBefore + 1);
    expect((await stream({ message, user_id: 'kb-4' })).json<DoneEventData>('done').cached).toBe(true);
  }, 60_000);

  it('ends a cached stream whose gateway was killed mid-replay with an error, and frees its session', async () => {
    const message = question();
    const full = await stream({ message, user_id: 'crash-1' });
    const doomed = await ServiceProcess.start('gateway', stack.env);
    const head = await readStream(`${doomed.url}/api/v1/chat/unified/stream`, {
      body: { message, user_id: 'crash-2' },
      stopWhen: (events) => events.filter((e) => e.event === undefined).length >= 3,
    });
    await doomed.kill();
    const meta = head.json<MetaEventData>('meta');
    const killedAt = performance.now();
    // The client comes back on another gateway: it gets what was played, then the error.
    const rest = await readStream(`${b}/api/v1/chat/streams/${meta.stream_id}`, { headers: { 'Last-Event-ID': '3' }, timeoutMs: 20_000 });
    expect(performance.now() - killedAt).toBeLessThan(10_000);
    expect(rest.json<{ code: string; retryable: boolean }>('error')).toMatchObject({ code: 'stream_interrupted', retryable: true });
    const played = [...head.chunks.slice(0, 3), ...rest.chunks];
    expectGapless(played.map((c) => c.seq));
    expect(played.length).toBeLessThan(full.chunks.length);
    expect((await storedReply(a, meta.session_id, meta.stream_id)).status).toBe('failed');
    // The session takes a new turn at once.
    const next = await stream({ message: question(), user_id: 'crash-2', session_id: meta.session_id });
    expect(next.status).toBe(200);
    expect(next.json<DoneEventData>('done').status).toBe('completed');
  }, 60_000);

  it('answers a cached turn through POST /api/v1/chat/unified with cached: true', async () => {
    const message = question();
    await stream({ message, user_id: 'unified-1' });
    const res = await fetch(`${a}/api/v1/chat/unified`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message, user_id: 'unified-2' }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { cached: boolean }).cached).toBe(true);
  }, 60_000);
});

describe('response cache, CACHE_SCOPE=user, output PII redacted', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.start({ env: { CACHE_SCOPE: 'user', PACING_MS: '3', PII_POLICY: 'input:flag,output:redact' } });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);
  const stream = streamer(() => stack.gateway.url);

  it("serves a user's private-context turn to that user again, never to another one", async () => {
    // A reply with nothing the output policy redacts (the Redis one quotes an IP address): a
    // redacted reply is never cached.
    const message = question('How does resume work?');
    const context = ['Our private Redis connection goes through the internal replica with TLS turned on.'];
    expect((await stream({ message, user_id: 'scoped-a', context })).json<DoneEventData>('done').cached).toBe(false);
    expect((await stream({ message, user_id: 'scoped-a', context })).json<DoneEventData>('done').cached).toBe(true);
    expect((await stream({ message, user_id: 'scoped-b', context })).json<DoneEventData>('done').cached).toBe(false);
    expect((await stream({ message, user_id: 'scoped-b' })).json<DoneEventData>('done').cached).toBe(false);
  }, 60_000);

  it('does not cache a reply the output guardrail redacted', async () => {
    const message = question('How do I reach the Redis administrator?');
    const context = ['To reach the Redis administrator, write to redis-admin@example.com for access.'];
    const first = await stream({ message, user_id: 'redacted', context });
    expect(textOf(first)).toContain('[email]');
    expect(first.json<DoneEventData>('done').cached).toBe(false);
    const again = await stream({ message, user_id: 'redacted', context });
    expect(again.json<DoneEventData>('done').cached).toBe(false);
  }, 60_000);
});

describe('response cache, CACHE_SCOPE=off', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.start({ env: { CACHE_SCOPE: 'off' } });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);
  const stream = streamer(() => stack.gateway.url);

  it('never answers from the cache', async () => {
    const message = question();
    for (const user of ['off-1', 'off-2', 'off-1']) expect((await stream({ message, user_id: user })).json<DoneEventData>('done').cached).toBe(false);
    await until(async () => (await generationJobCount(stack.redis.url, stack.env.REDIS_PREFIX)) === 3, 5_000, 'three generation jobs');
    expect((await MetricsScrape.of(stack.gateway.url)).series('chat_reply_cache_lookups_total').every((s) => !s.includes('hit'))).toBe(true);
  }, 60_000);
});
