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
