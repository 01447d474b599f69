import { NotFoundException, type PipeTransform } from '@nestjs/common';
import { STREAM_ID_PATTERN } from '@app/contracts';

/** Stream ids are UUIDv4; anything else cannot name a stream, so it is "unknown" (404), like docs/api.md §2 says. */
class StreamIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!STREAM_ID_PATTERN.test(value)) throw new NotFoundException({ error: 'Stream not found', message: 'Unknown or expired stream', stream_id: value.slice(0, 128) });
    return value.toLowerCase();
  }
}

/** One instance serves every route: the pipe keeps no state. */
export const streamIdPipe = new StreamIdPipe();
