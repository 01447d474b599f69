import { Controller, Headers, HttpCode, Param, Post, Query, Res, Sse } from '@nestjs/common';
import { CallerId } from '../auth/caller.js';
import type { MessageEvent } from '@nestjs/common';
import type { Response } from 'express';
import type { Observable } from 'rxjs';
import { setStreamHeaders } from '../sse/sse-headers.js';
import { SSE_MAX_PENDING_CHARS } from '../sse/sse-limits.js';
import { parseLastEventId } from './last-event-id.js';
import { StreamControl } from './stream-control.service.js';
import { StreamRelay } from './stream-relay.service.js';

import { StreamIdPipe } from './stream-id.pipe.js';

const streamIdPipe = new StreamIdPipe();

@Controller('api/v1/chat/streams')
export class StreamsController {
  constructor(
    private readonly relay: StreamRelay,
    private readonly control: StreamControl,
  ) {}

  /** API.md §2: resume after Last-Event-ID (header or query), from any gateway. */
  @Sse(':stream_id', { maxPendingDataLength: SSE_MAX_PENDING_CHARS })
  async resume(
    @Param('stream_id', streamIdPipe) streamId: string,
    @Headers('last-event-id') lastEventHeader: string | undefined,
    @Query('last_event_id') lastEventQuery: string | undefined,
    @CallerId() userId: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Observable<MessageEvent>> {
    const afterSeq = parseLastEventId(lastEventHeader, lastEventQuery);
    const meta = await this.relay.requireMeta(streamId, userId);
    const tap = await this.relay.openTap(streamId);
    setStreamHeaders(res, streamId, meta.session_id);
    return this.relay.attach(tap, streamId, { stream_id: streamId, session_id: meta.session_id, created_at: meta.created_at }, afterSeq);
  }

  /** API.md §3. */
  @Post(':stream_id/cancel')
  @HttpCode(202)
  cancel(@Param('stream_id', streamIdPipe) streamId: string, @CallerId() userId: string | undefined) {
    return this.control.cancel(streamId, userId);
  }
}
