import { Controller, HttpCode, Param, Post, Query } from '@nestjs/common';
import { optionalUserIdPipe } from '@app/platform';
import { CallerId } from '../auth/caller.js';
import { Arrival, type RequestArrival } from '../requests/request-arrival.js';
import { streamIdPipe } from '../relay/stream-id.pipe.js';
import { StreamCancel } from './stream-cancel.service.js';

@Controller('api/v1/chat/streams')
export class CancelController {
  constructor(private readonly streams: StreamCancel) {}

  /** docs/api.md §3. */
  @Post(':stream_id/cancel')
  @HttpCode(202)
  cancel(
    @Param('stream_id', streamIdPipe) streamId: string,
    // With auth off this user_id is the caller (the guard took it as sent): its rule is checked before Redis is asked.
    @Query('user_id', optionalUserIdPipe) _namedUser: string | undefined,
    @CallerId() userId: string | undefined,
    @Arrival() arrival: RequestArrival,
  ) {
    return this.streams.cancel(streamId, userId, arrival.requestId);
  }
}
