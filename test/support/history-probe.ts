import type { HistoryMessage, SessionHistory } from '@app/contracts';
import { until } from './until.js';

/** Waits until history holds the assistant message of `streamId` (turns are written through a queue). */
export async function storedReply(gatewayUrl: string, sessionId: string, streamId: string, timeoutMs = 15_000): Promise<HistoryMessage> {
  return until(async () => {
    const res = await fetch(`${gatewayUrl}/api/v1/chat/history/${sessionId}`);
    if (!res.ok) return undefined;
    const history = (await res.json()) as SessionHistory;
    return history.messages.find((m) => m.role === 'assistant' && m.stream_id === streamId);
  }, timeoutMs, `stored reply of ${streamId}`);
}

export async function sessionHistory(gatewayUrl: string, sessionId: string): Promise<SessionHistory> {
  return (await (await fetch(`${gatewayUrl}/api/v1/chat/history/${sessionId}`)).json()) as SessionHistory;
}

/** Asserts the invariant of docs/api.md §1 on what one client received: seq 1..n, each once. */
export function expectGapless(seqs: number[]): void {
  const expected = seqs.map((_, i) => i + 1);
  if (JSON.stringify(seqs) !== JSON.stringify(expected)) {
    throw new Error(`seq not gapless/unique: ${JSON.stringify(seqs)}`);
  }
}
