import type { MessageEvent } from '@nestjs/common';

/**
 * One SSE event as it goes on the wire (WHATWG "server-sent events"). Our data is JSON, which has
 * no raw line breaks, so the common case is plain concatenation; other data is split into one
 * `data:` line per line, as the format requires.
 */
export function formatSseEvent(event: MessageEvent): string {
  let out = '';
  if (event.type !== undefined) out += `event: ${event.type}\n`;
  if (event.id !== undefined) out += `id: ${event.id}\n`;
  if (event.retry !== undefined) out += `retry: ${event.retry}\n`;
  if (event.comment !== undefined) out += field(':', event.comment);
  if (event.data !== undefined) out += field('data:', typeof event.data === 'string' ? event.data : JSON.stringify(event.data));
  return `${out}\n`;
}

function field(name: string, value: string): string {
  if (!/[\r\n]/.test(value)) return `${name} ${value}\n`;
  return value
    .split(/\r\n|\r|\n/)
    .map((line) => `${name} ${line}\n`)
    .join('');
}

/** `text` as one HTTP/1.1 chunk of a chunked body: its size in hex, the text, CRLF. */
export function asHttpChunk(text: string): string {
  return `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
}

/**
 * `formatSseEvent(event)` as one HTTP/1.1 chunk. The event of every chunk of every stream (an id
 * and one line of data) is built in one step, its byte length added up from its parts: the
 * general path builds the event in several strings, flattens them to count the bytes, and wraps
 * the result in another string for the socket to flatten again.
 */
export function sseEventAsHttpChunk(event: MessageEvent): string {
  const { id, data } = event;
  if (event.type !== undefined || event.retry !== undefined || event.comment !== undefined || id === undefined || typeof data !== 'string' || /[\r\n]/.test(data)) {
    return asHttpChunk(formatSseEvent(event));
  }
  // "id: " id "\n" "data: " data "\n\n"
  const bytes = 13 + Buffer.byteLength(id) + Buffer.byteLength(data);
  return `${bytes.toString(16)}\r\nid: ${id}\ndata: ${data}\n\n\r\n`;
}
