import { MESSAGE_MAX_CHARS } from '@app/contracts';
import { ApiError } from './api-error';
import { deleteSession, getHistory } from './chat-api';
import { assistantPlaceholder, messagesFromHistory, userMessage, type AssistantMessage, type ChatMessage } from './chat-message';
import { Identity } from './identity.svelte';
import { ReplyRunner } from './reply-runner';
import { downloadText, exportFileName, sessionToMarkdown } from './session-export';
import { SessionList } from './session-list.svelte';
import { resumeStream, streamChat } from './sse-client';
import { StreamMeter } from './stream-meter';
import { clearActiveStream, loadActiveStream, loadCurrentSession, saveCurrentSession, type ActiveStream } from './tab-storage';

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * The chat page: the open conversation and every action on it. Who the user is lives in
 * `identity`, their conversations in `sessionList`, the reply being read in `replies`;
 * components render this and call its methods.
 */
export class ChatState {
  readonly identity = new Identity();
  readonly sessionList = new SessionList(this.identity, (err, what) => this.report(err, what));
  currentSessionId = $state<string | null>(null);
  messages = $state<ChatMessage[]>([]);
  loadingHistory = $state(false);
  /** A transient problem to show (a failed delete, a session that is gone, …). */
  notice = $state<string | null>(null);
  streaming = $derived(this.messages.some((m) => m.role === 'assistant' && m.status === 'streaming'));
  currentTitle = $derived(this.sessionList.titleOf(this.currentSessionId) ?? 'New chat');

  /** The page is going away (reload): keep the tab's resume record for the next page. */
  private unloading = false;
  private readonly replies = new ReplyRunner({
    credentials: () => this.identity.credentials,
    owner: () => this.identity.owner,
    currentSessionId: () => this.currentSessionId,
    enterSession: (sessionId) => {
      this.currentSessionId = sessionId;
      saveCurrentSession(sessionId);
      void this.sessionList.refresh(); // the new session appears in the sidebar at once
    },
    refreshSessions: () => void this.sessionList.refresh(),
    authMessage: (err) => this.reportAuth(err),
    unloading: () => this.unloading,
  });

  constructor() {
    addEventListener('pagehide', () => (this.unloading = true));
    addEventListener('pageshow', () => (this.unloading = false)); // back from the bfcache
  }

  /** First load: the sessions, then the stream to resume or the conversation that was open. */
  async init(): Promise<void> {
    const pending = loadActiveStream();
    const refreshed = this.sessionList.refresh();
    // With a token, who the user is (and so whose stream `pending` is) comes with the sessions list.
    if (this.identity.accessToken) {
      await refreshed;
      if (!this.identity.tokenUser) return; // rejected: the notice asks for a token, nothing more to load
    }
    if (pending && pending.user_id === this.identity.owner) await this.openSession(pending.session_id, pending);
    else {
      const sessionId = loadCurrentSession();
      if (sessionId) await this.openSession(sessionId);
    }
    await refreshed;
  }

  /**
   * Shows a stored conversation. A reply still running in it (this tab's, after a reload, or
   * another tab's, from `active_stream_id`) is re-attached and continues live.
   */
  async openSession(sessionId: string, pending: ActiveStream | null = null): Promise<void> {
    if (this.streaming) return;
    this.loadingHistory = true;
    try {
      const history = await getHistory(sessionId, this.identity.credentials);
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
        void this.sessionList.refresh();
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
      await deleteSession(sessionId, this.identity.credentials);
      if (sessionId === this.currentSessionId) this.newChat();
    } catch (err) {
      if (this.reportAuth(err)) return;
      if (!(err instanceof ApiError && err.status === 404)) this.notice = `Could not delete: ${describe(err)}`;
    }
    await this.sessionList.refresh();
  }

  /** Switches identity (auth is off: the user id is just a name). Refused while a token is set. */
  setUserId(userId: string): boolean {
    if (this.streaming || this.identity.accessToken) return false;
    if (userId === this.identity.userId) return true;
    if (!this.identity.changeUserId(userId)) return false;
    this.newChat();
    this.sessionList.clear();
    void this.sessionList.refresh();
    return true;
  }

  /**
   * Sets (a pasted value) or clears (null) the access token. The user it stands for is learnt
   * from the sessions list that follows; without a token the generated user id is back.
   */
  setAccessToken(raw: string | null): boolean {
    if (this.streaming) return false;
    const change = this.identity.changeToken(raw);
    if (change === 'invalid') return false;
    this.notice = null;
    if (change === 'changed') {
      this.newChat();
      this.sessionList.clear();
    }
    if (this.identity.accessToken) this.identity.settingsOpen = false; // a 401 opens it again if the server refuses the token
    void this.sessionList.refresh();
    return true;
  }

  /** Sends a message and streams the reply into a new assistant message. */
  async send(text: string): Promise<void> {
    const message = text.trim();
    if (message === '' || this.streaming) return;
    if (message.length > MESSAGE_MAX_CHARS) {
      this.notice = `A message is at most ${MESSAGE_MAX_CHARS.toLocaleString()} characters.`;
      return;
    }
    this.notice = null;
    this.messages.push(userMessage(message), assistantPlaceholder(message));
    const reply = this.messages[this.messages.length - 1] as AssistantMessage; // the reactive proxy
    const sessionId = this.currentSessionId;
    const request = { message, ...(sessionId ? { session_id: sessionId } : {}) };
    const credentials = this.identity.credentials;
    await this.replies.run(reply, new StreamMeter(performance.now()), (handlers, signal) => streamChat(request, credentials, handlers, signal));
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
  stop(): Promise<void> {
    return this.replies.stop();
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
    await this.replies.run(reply, new StreamMeter(performance.now(), false), (handlers, signal) =>
      resumeStream(streamId, reply.lastSeq, this.identity.credentials, handlers, signal),
    );
  }

  /** Shows an auth problem in words and returns it; null (nothing shown) for any other error. */
  private reportAuth(err: unknown): string | null {
    const message = this.identity.authMessage(err);
    if (message) this.notice = message;
    return message;
  }

  private report(err: unknown, what: string): void {
    if (!this.reportAuth(err)) this.notice = `${what}: ${describe(err)}`;
  }
}
