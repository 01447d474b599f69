import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DoneEventData, MetaEventData } from '@app/contracts';
import { EventSource } from 'eventsource';
import { until } from '../support/until.js';
import { expectGapless, storedReply } from '../support/history-probe.js';
import { readStream } from '../support/sse-reader.js';
import { TestStack } from '../support/test-stack.js';

const question = { message: 'How do I configure the Redis connection?', user_id: 'resumer' };

describe('resume and cancel across two gateways (docs/api.md §2, §3)', () => {
  let stack: TestStack;
  let a: string;
  let b: string;
  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2, generators: 2, env: { PACING_MS: '20', DISCONNECT_GRACE_MS: '5000' } });
    [a, b] = stack.gateways.map((g) => g.url);
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  const start = (gateway: string, stopAfterSeq?: number, body: Record<string, unknown> = question) =>
    readStream(`${gateway}/api/v1/chat/unified/stream`, {
      body,
      stopWhen: stopAfterSeq === undefined ? undefined : (events) => events.filter((e) => e.event === undefined).length >= stopAfterSeq,
    });

  it('resumes on another gateway after Last-Event-ID without duplicating or losing chunks', async () => {
    const first = await start(a, 10);
    expectGapless(first.chunks.map((c) => c.seq));
    const meta = first.json<MetaEventData>('meta');
    const last = first.chunks[first.chunks.length - 1].seq;

    const rest = await readStream(`${b}/api/v1/chat/streams/${meta.stream_id}`, { headers: { 'Last-Event-ID': String(last) } });
    expect(rest.status).toBe(200);
    expect(rest.headers.get('content-type')).toBe('text/event-stream');
    const seqs = [...first.chunks, ...rest.chunks].map((c) => c.seq);
    expectGapless(seqs);
    // Live, not only from the log at the end: b relays the chunks as they are appended (about 125
    // more at 20 ms each), though a opened the stream.
    expect(rest.chunks.length).toBeGreaterThan(100);
    const arrivals = new Set(rest.chunks.map((c) => Math.floor(c.at / 10))); // 10 ms slots that saw a chunk
    expect(arrivals.size).toBeGreaterThan(50); // not one burst out of the log at the end
    const done = rest.json<DoneEventData>('done');
    expect(done.status).toBe('completed');
    expect(done.chunks).toBe(seqs.length);

    const text = [...first.chunks, ...rest.chunks].map((c) => c.text).join('');
    expect((await storedReply(a, meta.session_id, meta.stream_id)).content).toBe(text);

    // After the end, within the replay TTL: the whole stream again, by query parameter this time.
    const replay = await readStream(`${a}/api/v1/chat/streams/${meta.stream_id}?last_event_id=0`);
    expect(replay.chunks.map((c) => c.text).join('')).toBe(text);
    expect(replay.json<DoneEventData>('done').status).toBe('completed');
    const tail = await readStream(`${b}/api/v1/chat/streams/${meta.stream_id}`, { headers: { 'Last-Event-ID': String(seqs.length) } });
    expect(tail.chunks).toEqual([]);
    expect(tail.named('done')).toHaveLength(1);
  }, 60_000);

  it('resumes with a standard EventSource client (last_event_id in the query)', async () => {
    const first = await start(a, 5);
    const meta = first.json<MetaEventData>('meta');
    const received: Array<{ seq: number; text: string }> = [];
    let opens = 0;
    const done = await new Promise<DoneEventData>((resolve, reject) => {
      const source = new EventSource(`${b}/api/v1/chat/streams/${meta.stream_id}?last_event_id=5`);
      const timer = setTimeout(() => reject(new Error('no done')), 30_000);
      source.onopen = () => (opens += 1);
      source.onmessage = (e) => received.push(JSON.parse(e.data));
      source.addEventListener('done', (e) => {
        clearTimeout(timer);
        source.close();
        resolve(JSON.parse(e.data));
      });
    });
    expect(opens).toBe(1);
    expectGapless([...first.chunks, ...received].map((c) => c.seq));
    expect(done.chunks).toBe(first.chunks.length + received.length);
  }, 60_000);

  it('ends a resume of a finished stream at once when Last-Event-ID is past its last chunk', async () => {
    const full = await start(a);
    const meta = full.json<MetaEventData>('meta');
    const chunks = full.json<DoneEventData>('done').chunks;
    const resumed = await readStream(`${b}/api/v1/chat/streams/${meta.stream_id}`, { headers: { 'Last-Event-ID': String(chunks + 50) }, timeoutMs: 5_000 });
    expect(resumed.status).toBe(200);
    expect(resumed.chunks).toEqual([]);
    expect(resumed.json<DoneEventData>('done').status).toBe('completed');
  });

  it("answers 404 for another user's stream and for an unknown one", async () => {
    const first = await start(a, 1);
    const { stream_id } = first.json<MetaEventData>('meta');
    expect((await fetch(`${b}/api/v1/chat/streams/${stream_id}?user_id=someone-else`)).status).toBe(404);
    expect((await fetch(`${b}/api/v1/chat/streams/${stream_id}/cancel?user_id=someone-else`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${b}/api/v1/chat/streams/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await fetch(`${b}/api/v1/chat/streams/${stream_id}`, { headers: { 'Last-Event-ID': 'abc' } })).status).toBe(400);
  }, 30_000);

  it('cancels from the other gateway: every attached client gets done(cancelled), history keeps exactly what was sent', async () => {
    let streamId = '';
    const attached = readStream(`${a}/api/v1/chat/unified/stream`, {
      body: { ...question, user_id: 'canceller' },
      stopWhen: (events) => {
        const meta = events.find((e) => e.event === 'meta');
        if (meta) streamId = JSON.parse(meta.data).stream_id;
        return false;
      },
    });
    // A second client on the other gateway, attached to the same stream.
    await until(async () => streamId, 10_000, 'the stream id');
    let watching = false;
    const watcher = readStream(`${b}/api/v1/chat/streams/${streamId}`, {
      stopWhen: (events) => {
        watching ||= events.some((e) => e.event === 'meta');
        return false;
      },
    });
    await until(async () => watching, 10_000, 'the second client attached');
    const cancel = await fetch(`${b}/api/v1/chat/streams/${streamId}/cancel`, { method: 'POST' });
    const cancelledAt = performance.now();
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toEqual({ stream_id: streamId, status: 'cancelling' });

    const [main, second] = await Promise.all([attached, watcher]);
    const finishedAt = performance.now();
    for (const client of [main, second]) {
      const done = client.json<DoneEventData>('done');
      expect(done.status).toBe('cancelled');
      expect(done.chunks).toBe(main.chunks.length);
    }
    expect(finishedAt - cancelledAt).toBeLessThan(2_000);
    expectGapless(main.chunks.map((c) => c.seq));
    expect(main.chunks.length).toBeGreaterThan(0);
    expect(second.chunks.map((c) => c.text).join('')).toBe(main.chunks.map((c) => c.text).join(''));

    const meta = main.json<MetaEventData>('meta');
    const stored = await storedReply(a, meta.session_id, meta.stream_id);
    expect(stored.status).toBe('cancelled');
    expect(stored.content).toBe(main.chunks.map((c) => c.text).join(''));

    expect((await fetch(`${a}/api/v1/chat/streams/${streamId}/cancel`, { method: 'POST' })).status).toBe(409);
  }, 60_000);
});

describe('disconnect grace (docs/api.md §3)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2, env: { PACING_MS: '30', DISCONNECT_GRACE_MS: '1000' } });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it('cancels a stream nobody is attached to, and stores what the log holds', async () => {
    const url = stack.gateway.url;
    const left = await readStream(`${url}/api/v1/chat/unified/stream`, {
      body: { ...question, user_id: 'leaver' },
      stopWhen: (events) => events.filter((e) => e.event === undefined).length >= 3,
    });
    const meta = left.json<MetaEventData>('meta');
    const stored = await storedReply(url, meta.session_id, meta.stream_id, 10_000);
    expect(stored.status).toBe('cancelled');

    // The log is the truth: a late resume sees exactly the stored partial reply, then done(cancelled).
    const replay = await readStream(`${url}/api/v1/chat/streams/${meta.stream_id}`);
    expect(replay.chunks.map((c) => c.text).join('')).toBe(stored.content);
    expect(replay.json<DoneEventData>('done').status).toBe('cancelled');
    // The generator stopped: far fewer chunks than the full answer (1 s of grace at 30 ms ≈ 35).
    const full = await readStream(`${url}/api/v1/chat/unified/stream`, { body: { ...question, user_id: 'leaver' } });
    expect(replay.chunks.length).toBeLessThan(full.chunks.length);
  }, 60_000);

  it('does not count a HEAD request on the resume route as a client: the abandoned stream is still cancelled', async () => {
    const url = stack.gateway.url;
    const left = await readStream(`${url}/api/v1/chat/unified/stream`, {
      body: { ...question, user_id: 'header' },
      stopWhen: (events) => events.filter((e) => e.event === undefined).length >= 3,
    });
    const meta = left.json<MetaEventData>('meta');
    const head = await fetch(`${url}/api/v1/chat/streams/${meta.stream_id}?user_id=header`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect((await storedReply(url, meta.session_id, meta.stream_id, 10_000)).status).toBe('cancelled');
  }, 60_000);

  it('keeps a stream alive when the client comes back within the grace period', async () => {
    const [a, b] = stack.gateways.map((g) => g.url);
    const left = await readStream(`${a}/api/v1/chat/unified/stream`, {
      body: { ...question, user_id: 'returner' },
      stopWhen: (events) => events.filter((e) => e.event === undefined).length >= 3,
    });
    const meta = left.json<MetaEventData>('meta');
    // Away for a while, though for less than the grace period (1 s): the scenario, not a wait for a condition.
    await new Promise((r) => setTimeout(r, 400));
    const back = await readStream(`${b}/api/v1/chat/streams/${meta.stream_id}`, { headers: { 'Last-Event-ID': '3' } });
    expect(back.json<DoneEventData>('done').status).toBe('completed');
    expectGapless([...left.chunks, ...back.chunks].map((c) => c.seq));
  }, 60_000);
});
