import { BadRequestException, Body, Controller, Get, Headers, Inject, NotFoundException, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { SESSION_ID_PATTERN, USER_ID_PATTERN } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import type { Request, Response } from 'express';
import type { RequestWithCaller } from '../auth/caller.js';
import { ChatService } from '../chat/chat.service.js';
import { formatDataLine } from '../sse/data-line-format.js';
import { sendEventStream } from '../sse/event-stream.js';
import { StreamCancel } from '../cancel/stream-cancel.service.js';
import { ChatCompletionRequestDto } from './chat-completion.dto.js';
import { collectReply } from './completion-collector.js';
import { completionEvents } from './completion-events.js';
import { completion, type CompletionContext } from './completion-objects.js';
import { completionTurn } from './completion-turn.js';
import { configuredModels, type ModelObject } from './models.js';
import { OpenAiErrorFilter } from './openai-error.filter.js';
import { requestArrival } from '../requests/request-arrival.js';

/**
 * OpenAI's chat completions protocol in front of the native pipeline (docs/api.md §13): the same
 * admission, limits, guardrails, queue, pacing and history as `/api/v1/chat/unified[/stream]`,
 * through ChatService; only the request and the wire format differ.
 */
@Controller('v1')
@UseFilters(OpenAiErrorFilter)
export class OpenAiCompatController {
  private readonly models: ModelObject[];

  constructor(
    private readonly chat: ChatService,
    private readonly streams: StreamCancel,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.models = configuredModels(config, Math.floor(Date.now() / 1000));
  }

  @Get('models')
  listModels(): { object: 'list'; data: ModelObject[] } {
    return { object: 'list', data: this.models };
  }

  @Get('models/:model')
  model(@Param('model') id: string): ModelObject {
    return this.requireModel(id, null);
  }

  @Post('chat/completions')
  async completions(
    @Body() body: ChatCompletionRequestDto,
    @Headers('x-session-id') sessionHeader: string | undefined,
    @Req() req: Request & RequestWithCaller,
    @Res() res: Response,
  ): Promise<void> {
    const arrival = requestArrival(req);
    const userId = this.callerOf(req, body);
    const model = this.requireModel(body.model, 'model');
    if (sessionHeader !== undefined && !SESSION_ID_PATTERN.test(sessionHeader)) {
      throw new BadRequestException({ message: 'X-Session-Id must be 1-128 characters of [A-Za-z0-9_.:-], other than . and ..', param: 'X-Session-Id' });
    }
    const turn = completionTurn(body, userId, sessionHeader);
    const { meta, events } = await this.chat.start(turn.request, userId, arrival, turn.options);
    const context: CompletionContext = {
      id: `chatcmpl-${meta.stream_id}`,
      created: Math.floor(arrival.receivedAtMs / 1000),
      model: model.id,
      promptTokens: turn.promptTokens,
      maxChunks: turn.options.max_chunks,
    };
    // No client can resume this protocol's stream: one that leaves ends the turn at once
    // (a native client gets DISCONNECT_GRACE_MS to come back).
    const cancel = () => void this.streams.cancel(meta.stream_id, userId).catch(() => undefined);
    if (body.stream) {
      const chunks = completionEvents(events, context, { includeUsage: body.stream_options?.include_usage === true, onAbandoned: cancel });
      sendEventStream(req, res, chunks, {
        streamId: meta.stream_id,
        sessionId: meta.session_id,
        maxPendingChars: this.config.SSE_MAX_PENDING_CHARS,
        format: formatDataLine,
      });
      return;
    }
    const { reply, stop } = collectReply(events, cancel);
    res.once('close', stop);
    const { text, done } = await reply;
    res.setHeader('X-Stream-Id', meta.stream_id).setHeader('X-Session-Id', meta.session_id).status(200).json(completion(context, text, done));
  }

  /**
   * Auth on: the credentials name the caller and `user` is only a label. Auth off: `user` names
   * the caller, as the native API's `user_id` does (docs/api.md §8).
   */
  private callerOf(req: Request & RequestWithCaller, body: ChatCompletionRequestDto): string {
    if (req.caller?.authenticated && req.caller.userId) return req.caller.userId;
    if (body.user === undefined) throw new BadRequestException({ message: 'user is required when authentication is off: it names the caller', param: 'user' });
    if (!USER_ID_PATTERN.test(body.user)) throw new BadRequestException({ message: 'user must be 1-128 characters of [A-Za-z0-9_.@:-]', param: 'user' });
    return body.user;
  }

  private requireModel(id: string, param: string | null): ModelObject {
    const found = this.models.find((m) => m.id === id);
    if (!found) throw new NotFoundException({ message: `The model '${id}' does not exist`, param, code: 'model_not_found' });
    return found;
  }
}
