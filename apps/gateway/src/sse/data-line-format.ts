import type { MessageEvent } from '@nestjs/common';

/** The data of the event that ends an OpenAI-style stream. */
export const DONE_DATA = '[DONE]';

/**
 * The OpenAI streaming format (docs/api.md §13): only `data: <json>` lines, no `event:` or `id:`
 * (clients of that protocol route on the JSON, not on event names), and comments for keep-alive.
 * The data is one line of JSON, so it needs no splitting.
 */
export function formatDataLine(event: MessageEvent): string {
  if (event.comment !== undefined) return `: ${event.comment}\n\n`;
  return `data: ${typeof event.data === 'string' ? event.data : JSON.stringify(event.data)}\n\n`;
}
