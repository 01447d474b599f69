import type { SessionSummary } from './api-types';
import { listSessions } from './chat-api';
import type { Identity } from './identity.svelte';

/** The user's conversations, as the sidebar lists them. */
export class SessionList {
  sessions = $state<SessionSummary[]>([]);
  loaded = $state(false);
  private request = 0;

  constructor(
    private readonly identity: Identity,
    /** Says what went wrong (an auth problem in words, or the error). */
    private readonly report: (err: unknown, what: string) => void,
  ) {}

  async refresh(): Promise<void> {
    const request = ++this.request;
    try {
      const list = await listSessions(this.identity.credentials);
      // Overlapping refreshes can answer out of order (or for a token since replaced): only the latest one counts.
      if (request === this.request) {
        this.sessions = list.sessions;
        if (this.identity.accessToken) this.identity.tokenUser = list.user_id;
      }
    } catch (err) {
      if (request === this.request) this.report(err, 'Could not load conversations');
    } finally {
      this.loaded = true;
    }
  }

  clear(): void {
    this.sessions = [];
  }

  titleOf(sessionId: string | null): string | undefined {
    return this.sessions.find((s) => s.session_id === sessionId)?.title;
  }
}
