import { Body, Controller, HttpCode, Post, RequestMethod, Res, Sse } from '@nestjs/common';
import type { MessageEvent } from '@nestjs/common';
import { ChatRequestDto } from '@app/contracts';
import type { Response } from 'express';
import type { Observable } from 'rxjs';
import { CallerId } from '../auth/caller.js';
import { requireUser } from '../auth/require-user.js';
import { SSE_MAX_PENDING_CHARS } from '../sse/sse-limits.js';
import { setStreamHeaders } from '../sse/sse-headers.js';
import { ChatService, type UnifiedReply } from './chat.service.js';

@Controller('api/v1/chat')
export class ChatController {
  constructor(private readonly chat: ChatService) {}

  /** API.md §1. */
  @Sse('unified/stream', { method: RequestMethod.POST, maxPendingDataLength: SSE_MAX_PENDING_CHARS })
  @HttpCode(200)
  async stream(
    @Body() body: ChatRequestDto,
    @CallerId() userId: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Observable<MessageEvent>> {
    const { meta, events } = await this.chat.start(body, requireUser(userId), Date.now());
    setStreamHeaders(res, meta.stream_id, meta.session_id);
    return events;
  }

  /** API.md §4. */
  @Post('unified')
  @HttpCode(200)
  unified(@Body() body: ChatRequestDto, @CallerId() userId: string | undefined): Promise<UnifiedReply> {
    return this.chat.complete(body, requireUser(userId), Date.now());
  }
}
