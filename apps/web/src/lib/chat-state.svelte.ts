import { ApiError, isAbortError } from './api-error';
import type { SessionSummary } from './api-types';
import { cancelStream, deleteSession, getHistory, listSessions } from './chat-api';
import { assistantPlaceholder, messagesFromHistory, userMessage, type AssistantMessage, type ChatMessage } from './chat-message';
import { downloadText, exportFileName, sessionToMarkdown } from './session-export';
import { resumeStream, streamChat, type StreamEnd, type StreamHandlers } from './sse-client';
import { StreamMeter, statsFromServer } from './stream-meter';
import { clearActiveStream, loadActiveStream, loadCurrentSession, saveActiveStream, saveCurrentSession, type ActiveStream } from './tab-storage';
import { isValidUserId, loadUserId, saveUserId } from './user-identity';

/** API.md §1: a message is 1–8,000 characters after trimming. */
export const MAX_MESSAGE_CHARS = 8_000;
/** Re-attach attempts when a stream's connection drops without `done` (API.md §2). */
const RESUME_ATTEMPTS = 3;
/** After Stop, how long to wait for the `done` that confirms it before letting go of the stream. */
const STOP_CONFIRM_MS = 1_500;

type StreamOpener = (handlers: StreamHandlers, signal: AbortSignal) => Promise<StreamEnd>;

interface ActiveRun {
  controller: AbortController;
  message: AssistantMessage;
  /** Set by Stop: an abort that follows is the user's, not a failure. */
  stopped: boolean;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * The state of the chat page and every action on it: the sessions of the user, the open
 * conversation, and the one reply that may be streaming. Components render it and call its methods.
 */
export class ChatState {
  userId = $state(loadUserId());
  sessions = $state<SessionSummary[]>([]);
  sessionsLoaded = $state(false);
  currentSessionId = $state<string | null>(null);
  messages = $state<ChatMessage[]>([]);
  loadingHistory = $state(false);
  /** A transient problem to show (a failed delete, a session that is gone, …). */
  notice = $state<string | null>(null);
  streaming = $derived(this.messages.some((m) => m.role === 'assistant' && m.status === 'streaming'));
  currentTitle = $derived(this.sessions.find((s) => s.session_id === this.currentSessionId)?.title ?? 'New chat');

  private active: ActiveRun | null = null;
  private sessionsRequest = 0;
  /** The page is going away (reload): keep the tab's resume record for the next page. */
  private unloading = false;

  constructor() {
    addEventListener('pagehide', () => (this.unloading = true));
    addEventListener('pageshow', () => (this.unloading = false)); // back from the bfcache
  }

  /** First load: the sessions, then the stream to resume or the conversation that was open. */
  async init(): Promise<void> {
    const pending = loadActiveStream();
    const refreshed = this.refreshSessions();
    if (pending && pending.user_id === this.userId) await this.openSession(pending.session_id, pending);
    else {
      const sessionId = loadCurrentSession();
      if (sessionId) await this.openSession(sessionId);
    }
    await refreshed;
  }

  async refreshSessions(): Promise<void> {
    const request = ++this.sessionsRequest;
    try {
      const list = await listSessions(this.userId);
      // Overlapping refreshes can answer out of order: only the latest one counts.
      if (request === this.sessionsRequest) this.sessions = list.sessions;
    } catch (err) {
      this.notice = `Could not load conversations: ${describe(err)}`;
    } finally {
      this.sessionsLoaded = true;
    }
  }

  /**
   * Shows a stored conversation. A reply still running in it (this tab's, after a reload, or
   * another tab's, from `active_stream_id`) is re-attached and continues live.
   */
  async openSession(sessionId: string, pending: ActiveStream | null = null): Promise<void> {
    if (this.streaming) return;
    this.loadingHistory = true;
    try {
      const history = await getHistory(sessionId, this.userId);
      this.currentSessionId = sessionId;
      saveCurrentSession(sessionId);
      this.messages = messagesFromHistory(history.messages);
      const has = (streamId: string) => this.messages.some((m) => m.role === 'assistant' && m.streamId === streamId);
      if (pending?.session_id === sessionId && !has(pending.stream_id)) void this.attach(pending.stream_id, pending);
      else if (history.active_stream_id && !has(history.active_stream_id)) void this.attach(history.active_stream_id, null);
      else if (pending) clearActiveStream();
    } catch (err) {
      if (pending) clearActiveStream();
      if (err instanceof ApiError && err.status === 404) {
        saveCurrentSession(null);
        this.notice = 'That conversation no longer exists.';
        void this.refreshSessions();
      } else this.notice = `Could not open the conversation: ${describe(err)}`;
    } finally {
      this.loadingHistory = false;
    }
  }

  newChat(): void {
    if (this.streaming) return;
    this.currentSessionId = null;
    this.messages = [];
    saveCurrentSession(null);
  }

  async deleteSession(sessionId: string): Promise<void> {
    try {
      await deleteSession(sessionId, this.userId);
      if (sessionId === this.currentSessionId) this.newChat();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) this.notice = `Could not delete: ${describe(err)}`;
    }
    await this.refreshSessions();
  }

  /** Switches identity (auth is off: the user id is just a name). */
  setUserId(userId: string): boolean {
    if (!isValidUserId(userId) || this.streaming) return false;
    if (userId === this.userId) return true;
    saveUserId(userId);
    this.userId = userId;
    this.newChat();
    this.sessions = [];
    void this.refreshSessions();
    return true;
  }

  /** Sends a message and streams the reply into a new assistant message. */
  async send(text: string): Promise<void> {
    const message = text.trim();
    if (message === '' || this.streaming) return;
    if (message.length > MAX_MESSAGE_CHARS) {
      this.notice = `A message is at most ${MAX_MESSAGE_CHARS.toLocaleString()} characters.`;
      return;
    }
    this.notice = null;
    this.messages.push(userMessage(message), assistantPlaceholder(message));
    const reply = this.messages[this.messages.length - 1] as AssistantMessage; // the reactive proxy
    const sessionId = this.currentSessionId;
    const request = { message, user_id: this.userId, ...(sessionId ? { session_id: sessionId } : {}) };
    await this.run(reply, new StreamMeter(performance.now()), (handlers, signal) => streamChat(request, handlers, signal));
  }

  /** Resends the message of a failed reply, in place of the failed turn. */
  async retry(reply: AssistantMessage): Promise<void> {
    if (reply.status !== 'failed' || this.streaming) return;
    const at = this.messages.indexOf(reply);
    const before = this.messages[at - 1];
    const from = before?.role === 'user' && before.content === reply.request ? at - 1 : at;
    this.messages.splice(from, at - from + 1);
    await this.send(reply.request);
  }

  /** Stop: the server cancels the generation and confirms with `done` (status `cancelled`). */
  async stop(): Promise<void> {
    const run = this.active;
    if (!run || run.stopped) return;
    run.stopped = true;
    run.message.stopping = true;
    const streamId = run.message.streamId;
    let outcome: Awaited<ReturnType<typeof cancelStream>> | 'failed' = 'unknown';
    if (streamId) outcome = await cancelStream(streamId, this.userId).catch(() => 'failed' as const);
    if (outcome === 'cancelling' || outcome === 'finished') {
      // `done` is on its way; a connection that never delivers it must not leave Stop hanging.
      setTimeout(() => this.active === run && run.controller.abort(), STOP_CONFIRM_MS);
    } else run.controller.abort();
  }

  exportCurrent(): void {
    if (this.messages.length === 0) return;
    downloadText(exportFileName(this.currentTitle), sessionToMarkdown(this.currentTitle, this.messages, this.currentSessionId));
  }

  /** Re-attaches to a running stream, after the chunks of `pending` when this tab had some. */
  private async attach(streamId: string, pending: ActiveStream | null): Promise<void> {
    const last = this.messages[this.messages.length - 1];
    const request = pending?.message ?? (last?.role === 'user' ? last.content : '');
    if (pending && !(last?.role === 'user' && last.content === pending.message)) this.messages.push(userMessage(pending.message));
    this.messages.push(assistantPlaceholder(request, { streamId, content: pending?.text ?? '', lastSeq: pending?.last_seq ?? 0 }));
    const reply = this.messages[this.messages.length - 1] as AssistantMessage;
    await this.run(reply, new StreamMeter(performance.now(), false), (handlers, signal) =>
      resumeStream(streamId, reply.lastSeq, this.userId, handlers, signal),
    );
  }

  /** Reads one reply to its end, re-attaching after a dropped connection; never leaves it dangling. */
  private async run(reply: AssistantMessage, meter: StreamMeter, open: StreamOpener): Promise<void> {
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
          if (run.stopped && (isAbortError(err) || run.controller.signal.aborted)) return this.finish(reply, 'stopped');
          if (this.unloading) return;
          if (err instanceof ApiError) return this.fail(reply, err.message);
          end = 'closed'; // a network error: same as a connection closed early
        }
        if (end === 'terminal') return;
        if (run.stopped) return this.finish(reply, 'stopped');
        if (!reply.streamId || attempt >= RESUME_ATTEMPTS) return this.fail(reply, 'The connection was lost before the reply finished.');
        await delay(300 * (attempt + 1));
        const streamId = reply.streamId;
        opener = (h, signal) => resumeStream(streamId, reply.lastSeq, this.userId, h, signal);
      }
    } finally {
      if (this.active === run) this.active = null;
      if (!this.unloading) {
        if (reply.status === 'streaming') this.fail(reply, 'The reply ended unexpectedly.');
        clearActiveStream();
        void this.refreshSessions();
      }
    }
  }

  private handlersFor(reply: AssistantMessage, meter: StreamMeter): StreamHandlers {
    const remember = () => {
      if (!reply.streamId || !this.currentSessionId) return;
      saveActiveStream({
        stream_id: reply.streamId,
        session_id: this.currentSessionId,
        user_id: this.userId,
        last_seq: reply.lastSeq,
        text: reply.content,
        message: reply.request,
      });
    };
    const identify = (streamId: string | null, sessionId: string | null) => {
      if (streamId) reply.streamId = streamId;
      if (sessionId && sessionId !== this.currentSessionId) {
        this.currentSessionId = sessionId;
        saveCurrentSession(sessionId);
        void this.refreshSessions(); // the new session appears in the sidebar at once
      }
      remember();
    };
    return {
      onOpen: ({ streamId, sessionId }) => identify(streamId, sessionId),
      onMeta: (meta) => identify(meta.stream_id, meta.session_id),
      onChunk: (chunk) => {
        if (chunk.seq <= reply.lastSeq) return; // already shown (a replay overlapping what we had)
        // The turn is stored by the time text flows: list the (new) session with its title.
        if (reply.lastSeq === 0) void this.refreshSessions();
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
        this.finish(reply, done.status === 'cancelled' ? 'stopped' : 'completed');
      },
      onError: (error) => this.fail(reply, error.message || error.code),
    };
  }

  private finish(reply: AssistantMessage, status: 'completed' | 'stopped'): void {
    reply.status = status;
    reply.stopping = false;
    reply.liveElp = null;
  }

  private fail(reply: AssistantMessage, error: string): void {
    reply.status = 'failed';
    reply.stopping = false;
    reply.error = error;
  }
}
