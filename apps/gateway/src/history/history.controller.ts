import { Controller, Delete, Get, Param, Query } from '@nestjs/common';
import type { ChatStats, SessionHistory, SessionList } from '@app/contracts';
import { HistoryClient } from '@app/platform';
import { OptionalUserQueryDto, UserQueryDto } from './history-query.dto.js';
import { SessionsService } from './sessions.service.js';

/** API.md §5, proxied to the history service. */
@Controller('api/v1/chat')
export class HistoryController {
  constructor(
    private readonly history: HistoryClient,
    private readonly sessions: SessionsService,
  ) {}

  @Get('sessions')
  list(@Query() query: UserQueryDto): Promise<SessionList> {
    return this.history.listSessions(query.user_id);
  }

  @Get('history/:session_id')
  get(@Param('session_id') sessionId: string, @Query() query: OptionalUserQueryDto): Promise<SessionHistory> {
    return this.sessions.get(sessionId, query.user_id);
  }

  @Delete('sessions/:session_id')
  delete(@Param('session_id') sessionId: string, @Query() query: OptionalUserQueryDto) {
    return this.sessions.delete(sessionId, query.user_id);
  }

  @Get('stats')
  stats(@Query() query: OptionalUserQueryDto): Promise<ChatStats> {
    return this.history.stats(query.user_id);
  }
}
