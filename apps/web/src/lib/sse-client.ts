import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ApiError } from './api-error';
import type { ChatRequest, ChunkEvent, DoneEvent, ElpSnapshot, MetaEvent, StreamErrorEvent } from './api-types';
import { authHeaders, userParams, withUser, type Credentials } from './credentials';

/** Callbacks for the events of one stream response (docs/api.md §1). */
export interface StreamHandlers {
  /** The response headers arrived: the ids are known before any event (needed to cancel early). */
  onOpen?(ids: { streamId: string | null; sessionId: string | null }): void;
  onMeta?(meta: MetaEvent): void;
  onChunk(chunk: ChunkEvent): void;
  onElp?(snapshot: ElpSnapshot): void;
  onDone(done: DoneEvent): void;
  onError(error: StreamErrorEvent): void;
}

/** `terminal`: `done` or `error` was received. `closed`: the body ended without one (network, proxy). */
export type StreamEnd = 'terminal' | 'closed';

const CHAT_STREAM_URL = '/api/v1/chat/unified/stream';

/**
 * Routes one parsed SSE event. Text chunks are the unnamed events; control events are named and
 * carry an `id` too (meta has id 0, done/error the last seq), so the id alone says nothing.
 * Returns true for a terminal event.
 */
function dispatch(event: EventSourceMessage, handlers: StreamHandlers): boolean {
  switch (event.event) {
    case undefined:
    case 'message':
      handlers.onChunk(JSON.parse(event.data) as ChunkEvent);
      return false;
    case 'meta':
      handlers.onMeta?.(JSON.parse(event.data) as MetaEvent);
      return false;
    case 'elp':
      handlers.onElp?.(JSON.parse(event.data) as ElpSnapshot);
      return false;
    case 'done':
      handlers.onDone(JSON.parse(event.data) as DoneEvent);
      return true;
    case 'error':
      handlers.onError(JSON.parse(event.data) as StreamErrorEvent);
      return true;
    default:
      // Unknown event names are for newer clients; ignoring them keeps this one working.
      return false;
  }
}

/**
 * Reads an SSE body to its end with a spec-compliant parser: events split across network reads,
 * multi-line `data`, comments (`: keep-alive`) and `retry` lines are the parser's business.
 * Rejects with an AbortError when the request's signal fires.
 */
export async function readEventStream(body: ReadableStream<Uint8Array>, handlers: StreamHandlers): Promise<StreamEnd> {
  let terminal = false;
  const parser = createParser({
    onEvent: (event) => {
      if (!terminal) terminal = dispatch(event, handlers);
    },
  });
  const reader = body.getReader();
  const decoder = new TextDecoder(); // streaming mode: a UTF-8 sequence split across reads stays whole
  try {
    while (!terminal) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } finally {
    // The server closes after a terminal event; cancelling also frees the socket if it does not.
    reader.cancel().catch(() => undefined);
  }
  return terminal ? 'terminal' : 'closed';
}

async function openEventStream(url: string, init: RequestInit, handlers: StreamHandlers): Promise<StreamEnd> {
  const res = await fetch(url, { ...init, headers: { Accept: 'text/event-stream', ...init.headers } });
  if (!res.ok || !res.body) throw await ApiError.fromResponse(res);
  handlers.onOpen?.({ streamId: res.headers.get('X-Stream-Id'), sessionId: res.headers.get('X-Session-Id') });
  return readEventStream(res.body, handlers);
}

/** Starts a turn: POST the message (with `user_id` only when there is no token) and stream the reply. */
export function streamChat(
  request: Omit<ChatRequest, 'user_id'>,
  credentials: Credentials,
  handlers: StreamHandlers,
  signal: AbortSignal,
): Promise<StreamEnd> {
  const body: ChatRequest = { ...request, ...userParams(credentials) };
  return openEventStream(
    CHAT_STREAM_URL,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...authHeaders(credentials) },
      body: JSON.stringify(body),
      signal,
    },
    handlers,
  );
}

/**
 * Re-attaches to a running (or recently finished) stream after chunk `afterSeq` (docs/api.md §2). The
 * token goes in the header (fetch can send one), never in the URL.
 */
export function resumeStream(
  streamId: string,
  afterSeq: number,
  credentials: Credentials,
  handlers: StreamHandlers,
  signal: AbortSignal,
): Promise<StreamEnd> {
  const url = withUser(`/api/v1/chat/streams/${encodeURIComponent(streamId)}`, credentials, { last_event_id: String(afterSeq) });
  return openEventStream(url, { method: 'GET', headers: authHeaders(credentials), signal }, handlers);
}
