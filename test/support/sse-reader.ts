import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface ReceivedEvent extends EventSourceMessage {
  /** ms since the request was sent. */
  at: number;
}

export interface StreamResult {
  status: number;
  headers: Headers;
  /** The body exactly as received. */
  raw: string;
  events: ReceivedEvent[];
  /** Unnamed events (text chunks), parsed. */
  chunks: Array<{ text: string; seq: number; at: number; id: string | undefined }>;
  named: (type: string) => ReceivedEvent[];
  json: <T>(type: string) => T;
}

export interface StreamOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
  /** Abort the request once this returns true (the client "goes away"). */
  stopWhen?: (events: ReceivedEvent[]) => boolean;
  timeoutMs?: number;
}

/** Reads an SSE response the way a curl-style client does: raw bytes, parsed by a spec-compliant parser. */
export async function readStream(url: string, options: StreamOptions = {}): Promise<StreamResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('stream timeout')), options.timeoutMs ?? 30_000);
  const started = performance.now();
  const res = await fetch(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: { ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: controller.signal,
  });
  const events: ReceivedEvent[] = [];
  const parser = createParser({ onEvent: (event) => events.push({ ...event, at: performance.now() - started }) });
  let raw = '';
  const decoder = new TextDecoder();
  try {
    if (res.body) {
      for await (const bytes of res.body) {
        const text = decoder.decode(bytes as Uint8Array, { stream: true });
        raw += text;
        parser.feed(text);
        if (options.stopWhen?.(events)) {
          controller.abort();
          break;
        }
      }
    }
  } catch (err) {
    if (!controller.signal.aborted || (controller.signal.reason as Error)?.message === 'stream timeout') throw err;
  } finally {
    clearTimeout(timer);
  }
  const chunks = events
    .filter((e) => e.event === undefined)
    .map((e) => ({ ...(JSON.parse(e.data) as { text: string; seq: number }), at: e.at, id: e.id }));
  return {
    status: res.status,
    headers: res.headers,
    raw,
    events,
    chunks,
    named: (type) => events.filter((e) => e.event === type),
    json: <T>(type: string) => {
      const found = events.find((e) => e.event === type);
      if (!found) throw new Error(`no ${type} event in:\n${raw.slice(-2000)}`);
      return JSON.parse(found.data) as T;
    },
  };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}
