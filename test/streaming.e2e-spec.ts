import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DoneEventData, MetaEventData, SessionHistory, SessionList } from '@app/contracts';
import { generationJobs } from './support/queue-inspector.js';
import { postJson, readStream } from './support/sse-reader.js';
import { databaseKinds } from './support/test-database.js';
import { TestStack } from './support/test-stack.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe('streaming at the real pace (PACING_MS=30)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.start({ env: { PACING_MS: '30' } });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it('sends docs/api.md §1 exactly: headers, meta first, gapless seq, whitespace-kept chunks, done last, then closes', async () => {
    const res = await readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, {
      body: { message: 'How do I configure the Redis connection?', user_id: 'pace-user' },
    });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    expect(res.headers.get('connection')).toBe('keep-alive');
    // The server's idle timeout, so that a client retires the connection before it is closed under it.
    expect(res.headers.get('keep-alive')).toMatch(/^timeout=\d+$/);
    expect(res.headers.get('x-request-id')).toBeTruthy();

    const meta = res.json<MetaEventData>('meta');
    expect(res.events[0].event).toBe('meta');
    expect(res.headers.get('x-stream-id')).toBe(meta.stream_id);
    expect(res.headers.get('x-session-id')).toBe(meta.session_id);
    expect(res.raw).toMatch(/^\n?event: meta\nid: 0\nretry: 2000\ndata: \{"stream_id":/);
    expect(new Date(meta.created_at).toISOString()).toBe(meta.created_at);

    // Text chunks: unnamed, id == seq, 1..n without gaps, each one word with its whitespace.
    expect(res.chunks.length).toBeGreaterThan(20);
    res.chunks.forEach((chunk, i) => {
      expect(chunk.seq).toBe(i + 1);
      expect(chunk.id).toBe(String(i + 1));
      expect(chunk.text).toMatch(/^\s*\S+\s*$/);
    });
    for (const e of res.events.filter((x) => x.event === undefined)) expect(Object.keys(JSON.parse(e.data))).toEqual(['text', 'seq']);

    // Running ELP snapshots: every 20 chunks, right after the chunk they describe, on the 0–13 scale.
    const snapshots = res.named('elp').map((e) => ({ id: e.id, ...(JSON.parse(e.data) as { seq: number; ethos: number; logos: number; pathos: number }) }));
    expect(snapshots.map((s) => s.seq)).toEqual(res.chunks.filter((c) => c.seq % 20 === 0).map((c) => c.seq));
    for (const s of snapshots) {
      expect(s.id).toBe(String(s.seq));
      for (const v of [s.ethos, s.logos, s.pathos]) expect(v >= 0 && v <= 13).toBe(true);
      const position = res.events.findIndex((e) => e.event === 'elp' && JSON.parse(e.data).seq === s.seq);
      expect(res.events[position - 1].id).toBe(String(s.seq));
    }

    const last = res.events[res.events.length - 1];
    expect(last.event).toBe('done');
    const done = res.json<DoneEventData>('done');
    expect(Object.keys(done).sort()).toEqual(['cached', 'chunks', 'elp', 'persisted', 'session_id', 'sources', 'stats', 'status', 'stream_id'].sort());
    expect(done).toMatchObject({ stream_id: meta.stream_id, session_id: meta.session_id, status: 'completed', chunks: res.chunks.length, cached: false, persisted: true });
    for (const dim of ['ethos', 'logos', 'pathos'] as const) {
      expect(done.elp[dim]).toBeGreaterThanOrEqual(0);
      expect(done.elp[dim]).toBeLessThanOrEqual(13);
    }
    expect(Number.isInteger(done.elp.flux_position)).toBe(true);
    expect(done.elp.confidence).toBeGreaterThanOrEqual(0);
    expect(done.elp.confidence).toBeLessThanOrEqual(1);
    expect(done.stats.tokens).toBe(res.chunks.length);
    expect(done.stats.ttft_ms).toBeGreaterThanOrEqual(0);
    expect(done.stats.ttft_ms).toBeLessThan(2_000);
    expect(done.stats.duration_ms).toBeGreaterThan(0);
    expect(Array.isArray(done.sources)).toBe(true);

    // Pacing: one chunk per 30 ms, measured at the client (generous bounds; the benchmark measures).
    const gaps = res.chunks.slice(1).map((c, i) => c.at - res.chunks[i].at);
    expect(median(gaps)).toBeGreaterThan(20);
    expect(median(gaps)).toBeLessThan(45);
  }, 60_000);

  it('counts ttft_ms from the request reaching the gateway, not from the handler: a body sent 400 ms after its headers is inside it', async () => {
    const body = JSON.stringify({ message: 'What is the response cache?', user_id: 'slow-body-user' });
    const { hostname, port } = new URL(stack.gateway.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const req = request({ host: hostname, port, method: 'POST', path: '/api/v1/chat/unified/stream', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.flushHeaders();
      setTimeout(() => req.end(body), 400);
    });
    const done = JSON.parse(/event: done\nid: \d+\ndata: (.*)\n/.exec(raw)![1]) as DoneEventData;
    expect(done.status).toBe('completed');
    expect(done.stats.ttft_ms).toBeGreaterThanOrEqual(400);
    expect(done.stats.ttft_ms).toBeLessThan(2_400);
  }, 60_000);
});

describe.each(databaseKinds())('streams and history (%s)', (database) => {
  let stack: TestStack;
  let url: string;
  beforeAll(async () => {
    stack = await TestStack.start({ database, generators: 2 });
    url = stack.gateway.url;
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  const stream = (body: Record<string, unknown>) => readStream(`${url}/api/v1/chat/unified/stream`, { body });
  const textOf = (res: Awaited<ReturnType<typeof stream>>) => res.chunks.map((c) => c.text).join('');

  it('stores exactly the concatenated chunks, with newlines, code blocks and non-ASCII text', async () => {
    const res = await stream({
      message: 'Show me an example of a fenced code block in Markdown',
      user_id: `bytes-${database}`,
      context: ['Café “naïve” — 日本語 ✓ résumé'],
    });
    const done = res.json<DoneEventData>('done');
    expect(done.persisted).toBe(true);
    const text = textOf(res);
    expect(text).toContain('\n');
    expect(text).toContain('```');
    expect(text).toMatch(/[\u0080-\uffff]/);

    const history = (await (await fetch(`${url}/api/v1/chat/history/${done.session_id}`)).json()) as SessionHistory;
    const assistant = history.messages.find((m) => m.role === 'assistant' && m.stream_id === done.stream_id);
    expect(assistant?.content).toBe(text);
    expect(assistant?.status).toBe('completed');
    expect(assistant?.elp).toEqual(done.elp);
    expect(history.messages[0]).toMatchObject({ role: 'user', content: 'Show me an example of a fenced code block in Markdown' });
  }, 60_000);

  it('gives the second turn the first turn as context, counts messages, lists and deletes the session', async () => {
    const user = `turns-${database}`;
    const first = await stream({ message: 'What is ELP and what does flux_position mean?', user_id: user });
    const sessionId = first.json<DoneEventData>('done').session_id;
    const second = await stream({ message: 'Tell me more', user_id: user, session_id: sessionId });
    const secondDone = second.json<DoneEventData>('done');
    expect(secondDone.session_id).toBe(sessionId);

    // The provider was given the first turn as context: the follow-up goes on about it, unlike the
    // same words in a session of their own. The job is as the gateway enqueued it (no update).
    const alone = await stream({ message: 'Tell me more', user_id: `${user}-alone` });
    expect(textOf(second)).not.toBe(textOf(alone));
    expect(textOf(second)).toMatch(/flux|ELP/i);
    expect(textOf(alone)).not.toMatch(/flux_position/i);
    const [job] = await generationJobs(stack.redis.url, stack.env.REDIS_PREFIX, [secondDone.stream_id]);
    expect(job.data.message).toBe('Tell me more');
    expect(job.data.provider_input).toBeUndefined();

    const list = (await (await fetch(`${url}/api/v1/chat/sessions?user_id=${user}`)).json()) as SessionList;
    expect(list.total_sessions).toBe(1);
    expect(list.sessions[0]).toMatchObject({ session_id: sessionId, user_id: user, message_count: 4, active_stream_id: null });
    expect(list.sessions[0].title).toBe('What is ELP and what does flux_position mean?');

    const other = await stream({ message: 'How do I scale generators?', user_id: user });
    const newest = (await (await fetch(`${url}/api/v1/chat/sessions?user_id=${user}`)).json()) as SessionList;
    expect(newest.sessions.map((s) => s.session_id)).toEqual([other.json<DoneEventData>('done').session_id, sessionId]);

    const stats = await (await fetch(`${url}/api/v1/chat/stats?user_id=${user}`)).json();
    expect(stats).toEqual({ total_sessions: 2, total_messages: 6, active_streams: 0 });

    const deleted = await fetch(`${url}/api/v1/chat/sessions/${sessionId}?user_id=${user}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ success: true, session_id: sessionId, message: 'Session deleted' });
    expect((await fetch(`${url}/api/v1/chat/history/${sessionId}`)).status).toBe(404);
    expect((await fetch(`${url}/api/v1/chat/sessions/${sessionId}`, { method: 'DELETE' })).status).toBe(404);
    const after = (await (await fetch(`${url}/api/v1/chat/sessions?user_id=${user}`)).json()) as SessionList;
    expect(after.sessions.map((s) => s.session_id)).toEqual([other.json<DoneEventData>('done').session_id]);
  }, 60_000);

  it('answers §4 non-streaming with the same pipeline', async () => {
    const res = await postJson(`${url}/api/v1/chat/unified`, { message: 'How do I run the tests?', user_id: `unified-${database}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      ['cached', 'confidence', 'elp_values', 'flux_position', 'generation_time_ms', 'response', 'session_id', 'stream_id'].sort(),
    );
    const history = (await (await fetch(`${url}/api/v1/chat/history/${body.session_id}`)).json()) as SessionHistory;
    expect(history.messages[1].content).toBe(body.response);
  }, 60_000);

  it('shares the queue between two generator processes: 20 concurrent streams complete, on both', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => stream({ message: `What is Redis pub/sub? (${i})`, user_id: `many-${database}` })),
    );
    for (const res of results) {
      expect(res.json<DoneEventData>('done').status).toBe('completed');
      res.chunks.forEach((c, i) => expect(c.seq).toBe(i + 1));
    }
    const ids = results.map((r) => r.json<DoneEventData>('done').stream_id);
    const jobs = await generationJobs(stack.redis.url, stack.env.REDIS_PREFIX, ids);
    const workers = new Set(jobs.map((j) => j.processedBy));
    expect(workers.size).toBe(2);
  }, 90_000);
});
