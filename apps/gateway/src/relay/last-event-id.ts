import { BadRequestException } from '@nestjs/common';

/** `Last-Event-ID` header or `last_event_id` query (docs/api.md §2); absent means from the start. */
export function parseLastEventId(header: string | undefined, query: string | undefined): number {
  const raw = (header ?? query ?? '').trim();
  if (raw === '') return 0;
  if (!/^\d{1,9}$/.test(raw)) throw new BadRequestException('Last-Event-ID must be a non-negative integer');
  return Number(raw);
}
