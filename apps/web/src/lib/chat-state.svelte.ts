import { isUsableToken, loadAccessToken, normaliseToken, saveAccessToken } from './access-token';
import { ApiError, isAbortError } from './api-error';
import type { SessionSummary } from './api-types';
import { cancelStream, deleteSession, getHistory, listSessions } from './chat-api';
import { assistantPlaceholder, messagesFromHistory, userMessage, type AssistantMessage, type ChatMessage } from './chat-message';
import { authProblem, type Credentials } from './credentials';
import { downloadText, exportFileName, sessionToMarkdown } from './session-export';
import { resumeStream, streamChat, type StreamEnd, type StreamHandlers } from './sse-client';
import { StreamMeter, statsFromServer } from './stream-meter';
import { clearActiveStream, loadActiveStream, loadCurrentSession, saveActiveStream, saveCurrentSession, type ActiveStream } from './tab-storage';
import { isValidUserId, loadUserId, saveUserId } from './user-identity';

/** docs/api.md §1: a message is 1–8,000 characters after trimming. */
export const MAX_MESSAGE_CHARS = 8_000;
/** Re-attach attempts when a stream's connection drops without `done` (docs/api.md §2). */
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
  /** The user id this browser uses while no access token is set (auth off). */
  userId = $state(loadUserId());
  /** The access token from Settings, sent as `Authorization: Bearer`; null when none is set. */
  accessToken = $state<string | null>(loadAccessToken());
  /** With a token: the user it stands for, as the sessions list answered (null until known, or rejected). */
  tokenUser = $state<string | null>(null);
  /** The user shown in Settings: read-only while a token is set. */
  displayedUser = $derived(this.accessToken ? (this.tokenUser ?? '') : this.userId);
  /** Settings expanded (opened by the user, or by a 401 asking for a token). */
  settingsOpen = $state(false);
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

  /** What every API call is made with, read at the time of the call. */
  private get credentials(): Credentials {
    return { token: this.accessToken, userId: this.userId };
  }

  /** Who owns what this tab streams (matched on reload); null while a token's user is unknown. */
  private get owner(): string | null {
    return this.accessToken ? this.tokenUser : this.userId;
  }

  /** First load: the sessions, then the stream to resume or the conversation that was open. */
  async init(): Promise<void> {
    const pending = loadActiveStream();
    const refreshed = this.refreshSessions();
    // With a token, who the user is (and so whose stream `pending` is) comes with the sessions list.
    if (this.accessToken) {
      await refreshed;
      if (!this.tokenUser) return; // rejected: the notice asks for a token, nothing more to load
    }
    if (pending && pending.user_id === this.owner) await this.openSession(pending.session_id, pending);
    else {
      const sessionId = loadCurrentSession();
      if (sessionId) await this.openSession(sessionId);
    }
    await refreshed;
  }

  async refreshSessions(): Promise<void> {
    const request = ++this.sessionsRequest;
    try {
      const list = await listSessions(this.credentials);
      // Overlapping refreshes can answer out of order (or for a token since replaced): only the latest one counts.
      if (request === this.sessionsRequest) {
        this.sessions = list.sessions;
        if (this.accessToken) this.tokenUser = list.user_id;
      }
    } catch (err) {
      if (request === this.sessionsRequest && !this.reportAuth(err)) this.notice = `Could not load conversations: ${describe(err)}`;
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
      const history = await getHistory(sessionId, this.credentials);
      this.currentSessionId = sessionId;
      saveCurrentSession(sessionId);
      this.messages = messagesFromHistory(history.messages);
      const has = (streamId: string) => this.messages.some((m) => m.role === 'assistant' && m.streamId === streamId);
      if (pending?.session_id === sessionId && !has(pending.stream_id)) void this.attach(pending.stream_id, pending);
      else if (history.active_stream_id && !has(history.active_stream_id)) void this.attach(history.active_stream_id, null);
      else if (pending) clearActiveStream();
    } catch (err) {
      if (pending) clearActiveStream();
      if (this.reportAuth(err)) return;
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
      await deleteSession(sessionId, this.credentials);
      if (sessionId === this.currentSessionId) this.newChat();
    } catch (err) {
      if (this.reportAuth(err)) return;
      if (!(err instanceof ApiError && err.status === 404)) this.notice = `Could not delete: ${describe(err)}`;
    }
    await this.refreshSessions();
  }

  /** Switches identity (auth is off: the user id is just a name). Refused while a token is set. */
  setUserId(userId: string): boolean {
    if (!isValidUserId(userId) || this.streaming || this.accessToken) return false;
    if (userId === this.userId) return true;
    saveUserId(userId);
    this.userId = userId;
    this.newChat();
    this.sessions = [];
    void this.refreshSessions();
    return true;
  }

  /**
   * Sets (a pasted value) or clears (null) the access token. The user it stands for is learnt
   * from the sessions list that follows; without a token the generated user id is back.
   */
  setAccessToken(raw: string | null): boolean {
    const token = raw === null ? null : normaliseToken(raw);
    if ((token !== null && !isUsableToken(token)) || this.streaming) return false;
    this.notice = null;
    if (token !== this.accessToken) {
      saveAccessToken(token);
      this.accessToken = token;
      this.tokenUser = null;
      this.newChat();
      this.sessions = [];
    }
    if (token) this.settingsOpen = false; // a 401 opens it again if the server refuses the token
    void this.refreshSessions();
    return true;
  }

  /**
   * Says a 401/403 in words (a 401 also opens Settings for a token). Returns the message, or
   * null for any other error (left to the caller).
   */
  private reportAuth(err: unknown): string | null {
    const problem = authProblem(err, this.accessToken !== null);
    if (!problem) return null;
    if (problem.signIn) {
      this.settingsOpen = true;
      this.tokenUser = null;
    }
    this.notice = problem.message;
    return problem.message;
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
    const request = { message, ...(sessionId ? { session_id: sessionId } : {}) };
    const credentials = this.credentials;
    await this.run(reply, new StreamMeter(performance.now()), (handlers, signal) => streamChat(request, credentials, handlers, signal));
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
    if (streamId) {
      outcome = await cancelStream(streamId, this.credentials).catch((err: unknown) => {
        this.reportAuth(err);
        return 'failed' as const;
      });
    }
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
      resumeStream(streamId, reply.lastSeq, this.credentials, handlers, signal),
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
          if (err instanceof ApiError) return this.fail(reply, this.reportAuth(err) ?? err.message);
          end = 'closed'; // a network error: same as a connection closed early
        }
        if (end === 'terminal') return;
        if (run.stopped) return this.finish(reply, 'stopped');
        if (!reply.streamId || attempt >= RESUME_ATTEMPTS) return this.fail(reply, 'The connection was lost before the reply finished.');
        await delay(300 * (attempt + 1));
        const streamId = reply.streamId;
        opener = (h, signal) => resumeStream(streamId, reply.lastSeq, this.credentials, h, signal);
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
        user_id: this.owner ?? '',
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
