import type { ElpResult, ElpSnapshot, HistoryMessage, Source } from './api-types';
import { statsFromServer, type LiveStats } from './stream-meter';

/** How an assistant message ended, as the UI shows it (`cancelled` on the wire is "stopped"). */
export type AssistantStatus = 'streaming' | 'completed' | 'stopped' | 'failed';

export interface UserMessage {
  role: 'user';
  key: string;
  content: string;
  timestamp: string;
}

export interface AssistantMessage {
  role: 'assistant';
  key: string;
  /** Raw Markdown, exactly the concatenated chunks. */
  content: string;
  timestamp: string;
  status: AssistantStatus;
  /** True between a click on Stop and the `done` that confirms it. */
  stopping: boolean;
  streamId: string | null;
  /** Seq of the last chunk appended to `content` (0: none yet). */
  lastSeq: number;
  elp: ElpResult | null;
  /** Latest `elp` snapshot while streaming, until `done` brings the final figures. */
  liveElp: ElpSnapshot | null;
  stats: LiveStats | null;
  sources: Source[];
  error: string | null;
  /** The user message this replies to, resent by Retry. */
  request: string;
}

export type ChatMessage = UserMessage | AssistantMessage;

let counter = 0;
/** Keys for keyed `each` blocks: unique in this page, stable for a message's lifetime. */
const nextKey = () => `m${++counter}`;

export function userMessage(content: string, timestamp = new Date().toISOString()): UserMessage {
  return { role: 'user', key: nextKey(), content, timestamp };
}

export function assistantPlaceholder(request: string, init: Partial<AssistantMessage> = {}): AssistantMessage {
  return {
    role: 'assistant',
    key: nextKey(),
    content: '',
    timestamp: new Date().toISOString(),
    status: 'streaming',
    stopping: false,
    streamId: null,
    lastSeq: 0,
    elp: null,
    liveElp: null,
    stats: null,
    sources: [],
    error: null,
    request,
    ...init,
  };
}

const statusFromHistory: Record<HistoryMessage['status'], AssistantStatus> = {
  completed: 'completed',
  cancelled: 'stopped',
  failed: 'failed',
};

/** Messages of a stored session (docs/api.md §5) in the UI's shape. */
export function messagesFromHistory(messages: HistoryMessage[]): ChatMessage[] {
  let lastRequest = '';
  return messages.map((m): ChatMessage => {
    if (m.role === 'user') {
      lastRequest = m.content;
      return userMessage(m.content, m.timestamp);
    }
    const status = statusFromHistory[m.status] ?? 'completed';
    return assistantPlaceholder(lastRequest, {
      content: m.content,
      timestamp: m.timestamp,
      status,
      streamId: m.stream_id,
      elp: m.elp,
      stats: m.stats ? statsFromServer(m.stats) : null,
      sources: m.sources ?? [],
      error: status === 'failed' ? 'The reply failed.' : null,
    });
  });
}
