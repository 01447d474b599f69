/**
 * Per-tab state kept in sessionStorage (survives a reload, not shared with other tabs).
 *
 * The stream this tab is reading, kept in sessionStorage (per tab, survives a reload) so that a
 * reload mid-reply re-attaches after the last chunk it had instead of starting over.
 */
export interface ActiveStream {
  stream_id: string;
  session_id: string;
  user_id: string;
  /** Seq of the last chunk appended to `text`. */
  last_seq: number;
  /** The reply so far: the page's copy is gone after a reload, the server only sends what follows. */
  text: string;
  /** The user message of the turn, shown while history does not have it yet. */
  message: string;
}

const STORAGE_KEY = 'chat.active_stream';

export function saveActiveStream(stream: ActiveStream): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(stream));
  } catch {
    // Storage full or disabled: resuming after a reload then starts from the first chunk.
  }
}

export function loadActiveStream(): ActiveStream | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as ActiveStream;
    return typeof parsed.stream_id === 'string' && Number.isInteger(parsed.last_seq) ? parsed : null;
  } catch {
    return null;
  }
}

export function clearActiveStream(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

const SESSION_KEY = 'chat.current_session';

/** The conversation on screen, reopened after a reload. */
export function saveCurrentSession(sessionId: string | null): void {
  if (sessionId) sessionStorage.setItem(SESSION_KEY, sessionId);
  else sessionStorage.removeItem(SESSION_KEY);
}

export function loadCurrentSession(): string | null {
  return sessionStorage.getItem(SESSION_KEY);
}
