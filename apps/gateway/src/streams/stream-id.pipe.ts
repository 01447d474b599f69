import { NotFoundException, type PipeTransform } from '@nestjs/common';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Stream ids are UUIDv4; anything else cannot name a stream, so it is "unknown" (404), like docs/api.md §2 says. */
export class StreamIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID.test(value)) throw new NotFoundException({ error: 'Stream not found', message: 'Unknown or expired stream', stream_id: value.slice(0, 128) });
    return value.toLowerCase();
  }
}
