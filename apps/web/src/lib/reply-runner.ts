import { ApiError, isAbortError } from './api-error';
import { cancelStream } from './chat-api';
import type { AssistantMessage } from './chat-message';
import type { Credentials } from './credentials';
import { resumeStream, type StreamEnd, type StreamHandlers } from './sse-client';
import { StreamMeter, statsFromServer } from './stream-meter';
import { clearActiveStream, saveActiveStream } from './tab-storage';

/** Re-attach attempts when a stream's connection drops without `done` (docs/api.md §2). */
const RESUME_ATTEMPTS = 3;
/** After Stop, how long to wait for the `done` that confirms it before letting go of the stream. */
const STOP_CONFIRM_MS = 1_500;

export type StreamOpener = (handlers: StreamHandlers, signal: AbortSignal) => Promise<StreamEnd>;

/** What the runner needs from the page around it. */
export interface ReplyContext {
  credentials(): Credentials;
  /** Who owns the stream (kept with the tab's resume record). */
  owner(): string | null;
  currentSessionId(): string | null;
  /** The stream named its session (a new one, the first time). */
  enterSession(sessionId: string): void;
  refreshSessions(): void;
  /** An auth problem in words (and shown), or null for any other error. */
  authMessage(err: unknown): string | null;
  /** The page is going away (reload): keep the tab's resume record for the next page. */
  unloading(): boolean;
}

interface ActiveRun {
  controller: AbortController;
  message: AssistantMessage;
  /** Set by Stop: an abort that follows is the user's, not a failure. */
  stopped: boolean;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads the one reply that may be streaming into its message: re-attaches after a dropped
 * connection, remembers where it is for a reload, and stops it on request.
 */
export class ReplyRunner {
  private active: ActiveRun | null = null;

  constructor(private readonly page: ReplyContext) {}

  /** Reads one reply to its end, re-attaching after a dropped connection; never leaves it dangling. */
  async run(reply: AssistantMessage, meter: StreamMeter, open: StreamOpener): Promise<void> {
    const run: ActiveRun = { controller: new AbortController(), message: reply, stopped: false };
    this.active = run;
    const handlers = this.handlersFor(reply, meter);
    let opener = open;
    try {
      for (let attempt = 0; ; attempt++) {
        let end: StreamEnd;
        try {
          end = await opener(handlers, run.controller.signal);
        } catch (err) {
          if (run.stopped && (isAbortError(err) || run.controller.signal.aborted)) return finish(reply, 'stopped');
          if (this.page.unloading()) return;
          if (err instanceof ApiError) return fail(reply, this.page.authMessage(err) ?? err.message);
          end = 'closed'; // a network error: same as a connection closed early
        }
        if (end === 'terminal') return;
        if (run.stopped) return finish(reply, 'stopped');
        if (!reply.streamId || attempt >= RESUME_ATTEMPTS) return fail(reply, 'The connection was lost before the reply finished.');
        await delay(300 * (attempt + 1));
        const streamId = reply.streamId;
        opener = (h, signal) => resumeStream(streamId, reply.lastSeq, this.page.credentials(), h, signal);
      }
    } finally {
      if (this.active === run) this.active = null;
      if (!this.page.unloading()) {
        if (reply.status === 'streaming') fail(reply, 'The reply ended unexpectedly.');
        clearActiveStream();
        this.page.refreshSessions();
      }
    }
  }

  /** Stop: the server cancels the generation and confirms with `done` (status `cancelled`). */
  async stop(): Promise<void> {
    const run = this.active;
    if (!run || run.stopped) return;
    run.stopped = true;
    run.message.stopping = true;
    const streamId = run.message.streamId;
    let outcome: Awaited<ReturnType<typeof cancelStream>> | 'failed' = 'unknown';
    if (streamId) {
      outcome = await cancelStream(streamId, this.page.credentials()).catch((err: unknown) => {
        this.page.authMessage(err);
        return 'failed' as const;
      });
    }
    if (outcome === 'cancelling' || outcome === 'finished') {
      // `done` is on its way; a connection that never delivers it must not leave Stop hanging.
      setTimeout(() => this.active === run && run.controller.abort(), STOP_CONFIRM_MS);
    } else run.controller.abort();
  }

  private handlersFor(reply: AssistantMessage, meter: StreamMeter): StreamHandlers {
    const remember = () => {
      const sessionId = this.page.currentSessionId();
      if (!reply.streamId || !sessionId) return;
      saveActiveStream({
        stream_id: reply.streamId,
        session_id: sessionId,
        user_id: this.page.owner() ?? '',
        last_seq: reply.lastSeq,
        text: reply.content,
        message: reply.request,
      });
    };
    const identify = (streamId: string | null, sessionId: string | null) => {
      if (streamId) reply.streamId = streamId;
      if (sessionId && sessionId !== this.page.currentSessionId()) this.page.enterSession(sessionId);
      remember();
    };
    return {
      onOpen: ({ streamId, sessionId }) => identify(streamId, sessionId),
      onMeta: (meta) => identify(meta.stream_id, meta.session_id),
      onChunk: (chunk) => {
        if (chunk.seq <= reply.lastSeq) return; // already shown (a replay overlapping what we had)
        // The turn is stored by the time text flows: list the (new) session with its title.
        if (reply.lastSeq === 0) this.page.refreshSessions();
        reply.content += chunk.text;
        reply.lastSeq = chunk.seq;
        reply.stats = meter.chunk(performance.now());
        remember();
      },
      onElp: (snapshot) => {
        reply.liveElp = snapshot;
      },
      onDone: (done) => {
        reply.elp = done.elp;
        reply.stats = statsFromServer(done.stats);
        reply.sources = done.sources;
        finish(reply, done.status === 'cancelled' ? 'stopped' : 'completed');
      },
      onError: (error) => fail(reply, error.message || error.code),
    };
  }
}

function finish(reply: AssistantMessage, status: 'completed' | 'stopped'): void {
  reply.status = status;
  reply.stopping = false;
  reply.liveElp = null;
}

function fail(reply: AssistantMessage, error: string): void {
  reply.status = 'failed';
  reply.stopping = false;
  reply.error = error;
}
