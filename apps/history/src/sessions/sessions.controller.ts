import { Controller, Delete, Get, NotFoundException, Param, Query } from '@nestjs/common';
import type { ChatStats, ContextTurnData, SessionHistory, SessionList } from '@app/contracts';
import { sessionIdPipe } from '@app/platform';
import { ContextQueryDto, OwnerQueryDto, RequiredOwnerQueryDto } from './session-queries.dto.js';
import { SessionRepository } from './session.repository.js';

const notFound = (sessionId: string) => new NotFoundException({ error: 'Session not found', session_id: sessionId });

/**
 * Internal read API, called by gateways and generators (not exposed to browsers). With a
 * `user_id`, a session of another user answers 404 exactly like a missing one.
 */
@Controller()
export class SessionsController {
  constructor(private readonly sessions: SessionRepository) {}

  @Get('sessions')
  async list(@Query() query: RequiredOwnerQueryDto): Promise<SessionList> {
    const sessions = await this.sessions.list(query.user_id);
    return { user_id: query.user_id, total_sessions: sessions.length, sessions };
  }

  @Get('sessions/:id')
  async history(@Param('id', sessionIdPipe) id: string, @Query() query: OwnerQueryDto): Promise<SessionHistory> {
    const history = await this.sessions.history(id);
    if (!history || (query.user_id && history.user_id !== query.user_id)) throw notFound(id);
    return history;
  }

  @Get('sessions/:id/owner')
  async owner(@Param('id', sessionIdPipe) id: string): Promise<{ session_id: string; user_id: string }> {
    const owner = await this.sessions.owner(id);
    if (!owner) throw notFound(id);
    return { session_id: id, user_id: owner };
  }

  @Get('sessions/:id/context')
  context(@Param('id', sessionIdPipe) id: string, @Query() query: ContextQueryDto): Promise<ContextTurnData[]> {
    return this.sessions.context(id, query.limit, query.exclude_stream);
  }

  @Delete('sessions/:id')
  async delete(@Param('id', sessionIdPipe) id: string, @Query() query: OwnerQueryDto): Promise<{ success: true; session_id: string }> {
    const owner = await this.sessions.owner(id);
    if (!owner || (query.user_id && owner !== query.user_id)) throw notFound(id);
    if (!(await this.sessions.delete(id))) throw notFound(id);
    return { success: true, session_id: id };
  }

  @Get('stats')
  stats(@Query() query: OwnerQueryDto): Promise<ChatStats> {
    return this.sessions.stats(query.user_id);
  }
}
