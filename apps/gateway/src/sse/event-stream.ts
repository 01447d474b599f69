import { Logger, type MessageEvent } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { asHttpChunk, formatSseEvent, sseEventAsHttpChunk } from './sse-format.js';

const logger = new Logger('EventStream');

export interface EventStreamOptions {
  streamId: string;
  sessionId: string;
  /** Characters an unread client may have queued before it is dropped (it can resume). */
  maxPendingChars: number;
  /** How an event goes on the wire: the native events by default, `formatDataLine` for the OpenAI-compatible API. */
  format?: (event: MessageEvent) => string;
}

/**
 * Sends `events` as the response body (docs/api.md §1 headers), each event formatted once and written
 * straight to the socket. The client leaving unsubscribes (which releases the stream's tap and
 * presence); a client that stops reading is dropped once its queue passes the bound, so it cannot
 * grow the gateway's memory or slow anyone else.
 */
export function sendEventStream(req: Request, res: Response, events: Observable<MessageEvent>, options: EventStreamOptions): void {
  // Headers, `meta` and what the stream has ready at once (a cache hit's first chunk, handed over
  // before the response starts) leave in one socket write: one system call and one wake-up of the
  // client instead of one each.
  const socket = req.socket;
  socket.cork();
  try {
    startEventStream(req, res, events, options);
  } finally {
    socket.uncork();
  }
}

function startEventStream(req: Request, res: Response, events: Observable<MessageEvent>, options: EventStreamOptions): void {
  // Streams are long and quiet between chunks: no idle timeout, no Nagle delay on small writes
  // (Node's server sets no-delay already, so this costs nothing then). No TCP keep-alive: the
  // `: keep-alive` comment every 15 s finds a dead client sooner than the kernel's default of two
  // hours would, and the socket option was a system call per stream start.
  req.socket.setTimeout(0);
  req.socket.setNoDelay(true);
  // No `Connection` header of ours: Node's own is `keep-alive` for a client that keeps the
  // connection, with `Keep-Alive: timeout=5` (the server's idle timeout), which it leaves out once
  // a handler sets `Connection`. Clients that read it (undici, so Node's fetch and the SDKs built
  // on it) retire an idle connection before the server closes it, instead of sending the next
  // request on a socket that is being closed and getting ECONNRESET.
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    'X-Accel-Buffering': 'no',
    'X-Stream-Id': options.streamId,
    'X-Session-Id': options.sessionId,
  });
  res.flushHeaders();
  if (req.method === 'HEAD' || req.socket.destroyed) {
    res.end();
    // Nobody will read these events. Subscribing and leaving at once runs their teardown, which
    // releases the channel subscription and the presence the caller took for this client; without
    // it the stream would count as watched until it ends, and never as abandoned.
    events.subscribe().unsubscribe();
    return;
  }
  const format = options.format ?? formatSseEvent;
  const pairs = new PairedWrites(req.socket);
  const subscription = events.subscribe({
    next: (event) => {
      if (res.writableEnded) return;
      if (event.type === 'elp' || event.type === 'done' || event.type === 'error') pairs.holdForNext();
      writeEvent(res, event, format);
      if (res.writableLength > options.maxPendingChars) {
        logger.warn(`stream ${options.streamId}: the client is not reading (${res.writableLength} characters queued); dropping it`);
        res.destroy();
      }
    },
    error: (err: Error) => {
      logger.error(`stream ${options.streamId}: ${err.message}`);
      const data = JSON.stringify({ code: 'stream_interrupted', message: 'Stream interrupted', retryable: true });
      if (!res.writableEnded) res.end(formatSseEvent({ type: 'error', data }));
    },
    complete: () => res.end(),
  });
  res.once('close', () => subscription.unsubscribe());
  // The client may have left while the stream was being set up, before there was a listener.
  if (req.socket.destroyed) subscription.unsubscribe();
}

/**
 * Some events are followed at once by what goes with them: a running ELP snapshot by the chunk it
 * came with (the generator publishes them together, so they arrive in one read from Redis), and
 * `done` or `error` by the end of the body. Each such pair leaves in one socket write instead of
 * two: one system call and one wake-up of the client fewer, seven per turn. The socket is corked
 * before the first event of the pair and uncorked once this turn of the event loop is over (the
 * chunk comes through the relay's queue a few microtasks later; ending the response uncorks at
 * once). Only the framing of the bytes changes, not the bytes.
 */
class PairedWrites {
  private held = false;

  constructor(private readonly socket: Request['socket']) {}

  holdForNext(): void {
    if (this.held || this.socket.destroyed) return;
    this.held = true;
    this.socket.cork();
    setImmediate(this.release);
  }

  private readonly release = (): void => {
    this.held = false;
    // A response that ended has uncorked its socket already; another uncork would undo a cork
    // someone else holds.
    if (this.socket.writableCorked > 0) this.socket.uncork();
  };
}

/**
 * One event as one HTTP/1.1 chunk, written straight to the socket: `res.write` would cork the
 * socket and hand size line, event and CRLF over as four buffers, written together on the next
 * tick, which costs about a quarter more CPU per event (every chunk of every stream passes here).
 * The bytes are the same. A response that is not chunked (an HTTP/1.0 client) or not on its
 * socket yet (behind a pipelined request) goes through `res.write`; `res.writableLength` counts
 * the socket's queue either way.
 */
function writeEvent(res: Response, event: MessageEvent, format: (event: MessageEvent) => string): void {
  const socket = res.socket;
  if (res.chunkedEncoding && socket && !socket.destroyed) {
    socket.write(format === formatSseEvent ? sseEventAsHttpChunk(event) : asHttpChunk(format(event)));
  } else res.write(format(event));
}
