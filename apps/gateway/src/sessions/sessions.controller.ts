import { Controller, Delete, Get, Param, Query } from '@nestjs/common';
import type { ChatStats, SessionHistory, SessionList } from '@app/contracts';
import { HistoryClient, sessionIdPipe } from '@app/platform';
import { CallerId } from '../auth/caller.js';
import { requireUser } from '../auth/require-user.js';
import { OptionalUserQueryDto } from './optional-user-query.dto.js';
import { SessionsService } from './sessions.service.js';

/** docs/api.md §5, proxied to the history service. */
@Controller('api/v1/chat')
export class SessionsController {
  constructor(
    private readonly history: HistoryClient,
    private readonly sessions: SessionsService,
  ) {}

  @Get('sessions')
  list(@Query() _query: OptionalUserQueryDto, @CallerId() userId: string | undefined): Promise<SessionList> {
    return this.history.listSessions(requireUser(userId));
  }

  @Get('history/:session_id')
  get(@Param('session_id', sessionIdPipe) sessionId: string, @Query() _query: OptionalUserQueryDto, @CallerId() userId: string | undefined): Promise<SessionHistory> {
    return this.sessions.get(sessionId, userId);
  }

  @Delete('sessions/:session_id')
  delete(@Param('session_id', sessionIdPipe) sessionId: string, @Query() _query: OptionalUserQueryDto, @CallerId() userId: string | undefined) {
    return this.sessions.delete(sessionId, userId);
  }

  @Get('stats')
  stats(@Query() _query: OptionalUserQueryDto, @CallerId() userId: string | undefined): Promise<ChatStats> {
    return this.history.stats(userId);
  }
}
