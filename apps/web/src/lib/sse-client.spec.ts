import { afterEach, describe, expect, it } from '@jest/globals';
import { ApiError } from './api-error';
import type { ChunkEvent, DoneEvent, ElpSnapshot, MetaEvent, StreamErrorEvent } from './api-types';
import { readEventStream, resumeStream, streamChat, type StreamHandlers } from './sse-client';

/** A body delivered in exactly these network reads. */
function bodyOf(...reads: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const read of reads) controller.enqueue(encoder.encode(read));
      controller.close();
    },
  });
}

function recorder() {
  const seen = {
    meta: [] as MetaEvent[],
    chunks: [] as ChunkEvent[],
    elp: [] as ElpSnapshot[],
    done: [] as DoneEvent[],
    errors: [] as StreamErrorEvent[],
    opened: [] as Array<{ streamId: string | null; sessionId: string | null }>,
  };
  const handlers: StreamHandlers = {
    onOpen: (ids) => seen.opened.push(ids),
    onMeta: (m) => seen.meta.push(m),
    onChunk: (c) => seen.chunks.push(c),
    onElp: (e) => seen.elp.push(e),
    onDone: (d) => seen.done.push(d),
    onError: (e) => seen.errors.push(e),
  };
  return { seen, handlers };
}

const done = { stream_id: 's', session_id: 'x', status: 'completed', chunks: 2 };
const wire = [
  'retry: 2000\n\nevent: meta\nid: 0\ndata: {"stream_id":"s","session_id":"x","created_at":"2026-01-01T00:00:00.000Z"}\n\n',
  'id: 1\ndata: {"text":"Hello ","seq":1}\n\n',
  ': keep-alive\n\n',
  'event: elp\ndata: {"seq":1,"ethos":5,"logos":6,"pathos":4}\n\n',
  'id: 2\ndata: {"text":"wörld\\n\\n```js\\n","seq":2}\n\n',
  `event: done\nid: 2\ndata: ${JSON.stringify(done)}\n\n`,
].join('');

describe('readEventStream', () => {
  it('routes unnamed events to text and named ones to control, though control events carry ids too', async () => {
    const { seen, handlers } = recorder();
    expect(await readEventStream(bodyOf(wire), handlers)).toBe('terminal');
    expect(seen.meta).toEqual([{ stream_id: 's', session_id: 'x', created_at: '2026-01-01T00:00:00.000Z' }]);
    expect(seen.chunks).toEqual([
      { text: 'Hello ', seq: 1 },
      { text: 'wörld\n\n```js\n', seq: 2 },
    ]);
    expect(seen.elp).toEqual([{ seq: 1, ethos: 5, logos: 6, pathos: 4 }]);
    expect(seen.done).toEqual([done]);
  });

  it('reassembles events and UTF-8 characters split across network reads at any byte', async () => {
    const bytes = new TextEncoder().encode(wire);
    for (const size of [1, 2, 3, 7, 64]) {
      const { seen, handlers } = recorder();
      const reads: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += size) reads.push(bytes.slice(i, i + size));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          reads.forEach((r) => controller.enqueue(r));
          controller.close();
        },
      });
      expect(await readEventStream(body, handlers)).toBe('terminal');
      expect(seen.chunks.map((c) => c.text).join('')).toBe('Hello wörld\n\n```js\n');
      expect(seen.done).toHaveLength(1);
    }
  });

  it('joins multi-line data fields with newlines and accepts CRLF line endings', async () => {
    const { seen, handlers } = recorder();
    await readEventStream(bodyOf('event: error\r\ndata: {"code":"x",\r\ndata: "message":"boom","retryable":false}\r\n\r\n'), handlers);
    expect(seen.errors).toEqual([{ code: 'x', message: 'boom', retryable: false }]);
  });

  it('reports a body that ends without done or error as closed', async () => {
    const { seen, handlers } = recorder();
    expect(await readEventStream(bodyOf('id: 1\ndata: {"text":"a ","seq":1}\n\nid: 2\ndata: {"text":"b'), handlers)).toBe('closed');
    expect(seen.chunks).toEqual([{ text: 'a ', seq: 1 }]);
  });

  it('ignores event names it does not know', async () => {
    const { seen, handlers } = recorder();
    await readEventStream(bodyOf('event: future\ndata: {}\n\nid: 1\ndata: {"text":"a","seq":1}\n\n'), handlers);
    expect(seen.chunks).toHaveLength(1);
  });
});

describe('streamChat and resumeStream', () => {
  const realFetch = globalThis.fetch;
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  function stubFetch(response: () => Response): Array<{ url: string; init: RequestInit }> {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    globalThis.fetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return response();
    }) as typeof fetch;
    return calls;
  }

  it('POSTs the request as JSON and reports the ids from the headers before any event', async () => {
    const calls = stubFetch(
      () => new Response(bodyOf(wire), { headers: { 'Content-Type': 'text/event-stream', 'X-Stream-Id': 's', 'X-Session-Id': 'x' } }),
    );
    const { seen, handlers } = recorder();
    await streamChat({ message: 'hi' }, { token: null, userId: 'u' }, handlers, new AbortController().signal);
    expect(calls[0].url).toBe('/api/v1/chat/unified/stream');
    expect(calls[0].init.method).toBe('POST');
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ message: 'hi', user_id: 'u' });
    expect(seen.opened).toEqual([{ streamId: 's', sessionId: 'x' }]);
  });

  it('resumes with last_event_id and the user in the query', async () => {
    const calls = stubFetch(() => new Response(bodyOf(wire), { headers: { 'Content-Type': 'text/event-stream' } }));
    await resumeStream('abc', 41, { token: null, userId: 'user-1' }, recorder().handlers, new AbortController().signal);
    expect(calls[0].url).toBe('/api/v1/chat/streams/abc?user_id=user-1&last_event_id=41');
    expect(calls[0].init.headers).toEqual({ Accept: 'text/event-stream' });
  });

  it('with a token: sends it as a Bearer header and names no user_id, in the body or the query', async () => {
    const calls = stubFetch(() => new Response(bodyOf(wire), { headers: { 'Content-Type': 'text/event-stream' } }));
    const credentials = { token: 'tok.en-1', userId: 'ignored' };
    await streamChat({ message: 'hi', session_id: 's1' }, credentials, recorder().handlers, new AbortController().signal);
    await resumeStream('abc', 7, credentials, recorder().handlers, new AbortController().signal);
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ message: 'hi', session_id: 's1' });
    expect(calls[0].init.headers).toMatchObject({ Authorization: 'Bearer tok.en-1', 'Content-Type': 'application/json' });
    expect(calls[1].url).toBe('/api/v1/chat/streams/abc?last_event_id=7');
    expect(calls[1].init.headers).toMatchObject({ Authorization: 'Bearer tok.en-1' });
  });

  it('turns an error status into an ApiError with the server message and Retry-After', async () => {
    stubFetch(
      () =>
        new Response(JSON.stringify({ statusCode: 409, error: 'Conflict', message: 'A stream is already running' }), {
          status: 409,
          headers: { 'Content-Type': 'application/json', 'Retry-After': '3' },
        }),
    );
    const failure = streamChat({ message: 'hi' }, { token: null, userId: 'u' }, recorder().handlers, new AbortController().signal);
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ status: 409, message: 'A stream is already running', retryAfter: 3 });
  });
});
