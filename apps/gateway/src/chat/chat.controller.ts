import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import type { Request, Response } from 'express';
import { CallerId } from '../auth/caller.js';
import { requireUser } from '../auth/require-user.js';
import { ChatRequestDto } from '../requests/chat-request.dto.js';
import { Arrival, type RequestArrival } from '../requests/request-arrival.js';
import { sendEventStream } from '../sse/event-stream.js';
import { ChatService, type UnifiedReply } from './chat.service.js';

@Controller('api/v1/chat')
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * docs/api.md §1. The events are written by `sendEventStream`, not by Nest's `@Sse()`: one string
   * per event straight to the socket is a third of the relay's CPU per chunk. Anything thrown
   * before the stream starts (400/404/409/429/503) still goes through the exception filters.
   */
  @Post('unified/stream')
  async stream(
    @Body() body: ChatRequestDto,
    @CallerId() userId: string | undefined,
    @Arrival() arrival: RequestArrival,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { meta, events } = await this.chat.start(body, requireUser(userId), arrival);
    sendEventStream(req, res, events, { streamId: meta.stream_id, sessionId: meta.session_id, maxPendingChars: this.config.SSE_MAX_PENDING_CHARS });
  }

  /** docs/api.md §4. */
  @Post('unified')
  @HttpCode(200)
  unified(@Body() body: ChatRequestDto, @CallerId() userId: string | undefined, @Arrival() arrival: RequestArrival): Promise<UnifiedReply> {
    return this.chat.complete(body, requireUser(userId), arrival);
  }
}
