import { Controller, Get, Headers, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { APP_CONFIG, optionalUserIdPipe, type AppConfig } from '@app/platform';
import type { Request, Response } from 'express';
import { CallerId } from '../auth/caller.js';
import { sendEventStream } from '../sse/event-stream.js';
import { parseLastEventId } from './last-event-id.js';
import { streamIdPipe } from './stream-id.pipe.js';
import { StreamRelay } from './stream-relay.service.js';

@Controller('api/v1/chat/streams')
export class ResumeController {
  constructor(
    private readonly relay: StreamRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** docs/api.md §2: resume after Last-Event-ID (header or query), from any gateway. */
  @Get(':stream_id')
  async resume(
    @Param('stream_id', streamIdPipe) streamId: string,
    @Headers('last-event-id') lastEventHeader: string | undefined,
    @Query('last_event_id') lastEventQuery: string | undefined,
    // With auth off this user_id is the caller (the guard took it as sent): its rule is checked before Redis is asked.
    @Query('user_id', optionalUserIdPipe) _namedUser: string | undefined,
    @CallerId() userId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const afterSeq = parseLastEventId(lastEventHeader, lastEventQuery);
    const meta = await this.relay.requireMeta(streamId, userId);
    const tap = await this.relay.openTap(streamId);
    const events = await this.relay.attach(tap, streamId, { stream_id: streamId, session_id: meta.session_id, created_at: meta.created_at }, afterSeq);
    sendEventStream(req, res, events, { streamId, sessionId: meta.session_id, maxPendingChars: this.config.SSE_MAX_PENDING_CHARS });
  }
}
