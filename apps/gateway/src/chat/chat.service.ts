import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { MessageEvent } from '@nestjs/common';
import type { ChatRequest, CompletionOptions, DoneEventData, ErrorEventData, MetaEventData } from '@app/contracts';
import { SpanKind, type Context, type Span } from '@opentelemetry/api';
import { contextWith, DependencyUnavailableError, endSpan, inSpan, startSpan, traceFields, traceparentOf } from '@app/platform';
import { lastValueFrom, reduce, type Observable } from 'rxjs';
import { StreamStore } from '@app/stream-store';
import { redisStep } from '../redis-step.js';
import { StreamRelay } from '../relay/stream-relay.service.js';
import { InputGuard } from '../admission/input-guard.service.js';
import { GenerationQueue } from './generation-queue.service.js';
import { SessionAccess } from '../admission/session-access.service.js';
import { ReplyCache, type CachedReply } from '@app/reply-cache';
import { replyCacheLookups } from '../metrics/stream-metrics.js';
import { ReplyCachePolicy, type CacheCandidate } from '../reply-cache/reply-cache-policy.service.js';
import { CachedReplyPlayer } from '../reply-cache/cached-reply-player.service.js';
import type { RequestArrival } from '../requests/request-arrival.js';

export interface StartedStream {
  meta: MetaEventData;
  events: Observable<MessageEvent>;
}

export interface UnifiedReply {
  response: string;
  session_id: string;
  stream_id: string;
  elp_values: { ethos: number; logos: number; pathos: number };
  flux_position: number;
  confidence: number;
  generation_time_ms: number;
  cached: boolean;
}

/** Starts a turn (docs/architecture.md "Flow of a turn", steps 1–3). */
@Injectable()
export class ChatService {
  private readonly logger = new Logger(ChatService.name);

  constructor(
    private readonly store: StreamStore,
    private readonly relay: StreamRelay,
    private readonly sessions: SessionAccess,
    private readonly queue: GenerationQueue,
    private readonly guard: InputGuard,
    private readonly cachePolicy: ReplyCachePolicy,
    private readonly cache: ReplyCache,
    private readonly player: CachedReplyPlayer,
  ) {}

  /** `completion`: what a turn of the OpenAI-compatible API adds (docs/api.md §13), carried in the job. */
  async start(request: ChatRequest, userId: string, arrival: RequestArrival, completion?: CompletionOptions): Promise<StartedStream> {
    const { receivedAtMs } = arrival;
    // The turn's trace starts here (a no-op span while tracing is off): admission and enqueue are its children.
    const span = startSpan('chat turn', { kind: SpanKind.SERVER, startTime: receivedAtMs, attributes: { api: completion ? 'openai' : 'unified' } });
    try {
      const started = await this.startTurn(request, userId, arrival, completion, span);
      endSpan(span);
      return started;
    } catch (err) {
      endSpan(span, err);
      throw err;
    }
  }

  private async startTurn(request: ChatRequest, userId: string, arrival: RequestArrival, completion: CompletionOptions | undefined, span: Span): Promise<StartedStream> {
    const { receivedAtMs, receivedAtMonoMs, requestId } = arrival;
    const turnContext: Context = contextWith(span);
    const input = this.guard.check(request); // refuses before anything is stored or counted
    const guardedCompletion = completion && this.guard.checkCompletion(completion);
    const sessionId = request.session_id ?? randomUUID();
    const streamId = randomUUID();
    const createdAt = new Date(receivedAtMs).toISOString();
    span.setAttributes({ stream_id: streamId, session_id: sessionId, new_session: request.session_id === undefined });
    // Subscribe first, then enqueue: pub/sub only reaches current subscribers. The subscription
    // stores and counts nothing, so it goes out with the admission steps rather than after them:
    // one round trip fewer before `meta` (a refused request just closes it again).
    const opening = this.relay.openTap(streamId);
    opening.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
    // The cache lookup leaves with them too; it decides nothing until the admission has passed.
    const candidate = this.cachePolicy.candidate(request, input, guardedCompletion, userId);
    const lookup = candidate ? this.lookUp(candidate) : undefined;
    try {
      await inSpan('admission', turnContext, { attributes: { stream_id: streamId, session_id: sessionId } }, () =>
        this.sessions.admit({ sessionId, userId, streamId, createdAt, newSession: request.session_id === undefined }),
      );
    } catch (err) {
      void opening.then((tap) => tap.close(), () => undefined);
      throw err;
    }
    try {
      const tap = await opening;
      const meta: MetaEventData = { stream_id: streamId, session_id: sessionId, created_at: createdAt };
      try {
        const found = lookup && (await lookup);
        if (found?.reply) {
          // A hit plays without a job: the same stream, written by this gateway instead of a generator.
          const events = await this.relay.attach(tap, streamId, meta, 0, { receivedAtMonoMs, presenceSet: true, newStream: true });
          this.player.play({
            turn: { stream_id: streamId, session_id: sessionId, user_id: userId, message: input.message, created_at: createdAt, metadata: input.metadata },
            reply: found.reply,
            receivedAtMs,
            firstChunkTo: (raw) => tap.deliver(raw),
          });
          this.logStarted({ reqId: requestId, stream_id: streamId, session_id: sessionId, cached: true, ...traceFields(span) });
          return { meta, events };
        }
        const cache = candidate && found ? { cache: { key: candidate.hash, kb_version: found.kbVersion, provider: candidate.provider } } : {};
        const enqueueAttributes = { stream_id: streamId, session_id: sessionId, 'messaging.system': 'bullmq', 'messaging.destination.name': 'generation' };
        await inSpan('enqueue generation', turnContext, { kind: SpanKind.PRODUCER, attributes: enqueueAttributes }, (_enqueue, enqueueContext) =>
          redisStep(
            this.queue.enqueue({
              stream_id: streamId,
              session_id: sessionId,
              user_id: userId,
              message: input.message,
              language: request.language,
              context: input.context,
              metadata: input.metadata,
              new_session: request.session_id === undefined,
              created_at: createdAt,
              received_at_ms: receivedAtMs,
              ...(guardedCompletion ? { completion: guardedCompletion } : {}),
              ...cache,
              // Absent while tracing is off: the job is what it always was.
              ...withTraceparent(traceparentOf(enqueueContext)),
            }),
          ),
        );
        // The admission has just set the presence key: count the client without setting it again.
        // After the enqueue, so a failed start leaves no client counted (its events never run).
        const events = await this.relay.attach(tap, streamId, meta, 0, { receivedAtMonoMs, presenceSet: true, newStream: true });
        this.logStarted({ reqId: requestId, stream_id: streamId, session_id: sessionId, ...traceFields(span) });
        return { meta, events };
      } catch (err) {
        tap.close();
        throw err;
      }
    } catch (err) {
      // Nothing was enqueued: the admission is undone (slots, meta), best effort in an outage.
      await this.store.abandon({ streamId, sessionId, userId }).catch(() => undefined);
      throw err;
    }
  }

  /**
   * "stream started", once the response's first write has gone (`setImmediate` runs after the
   * request's promise chain, which writes it): a log line is not on the path to `meta`.
   */
  private logStarted(fields: Record<string, unknown>): void {
    setImmediate(() => this.logger.log(fields, 'stream started'));
  }

  /** A failed lookup is a miss that caches nothing (undefined): the turn is generated as usual. */
  private async lookUp(candidate: CacheCandidate): Promise<{ reply: CachedReply | null; kbVersion: number } | undefined> {
    try {
      const found = await this.cache.lookup(candidate.hash);
      replyCacheLookups.inc({ result: found.reply ? 'hit' : 'miss' });
      return found;
    } catch {
      return undefined;
    }
  }

  /** docs/api.md §4: the same pipeline, answered once the reply is complete. */
  async complete(request: ChatRequest, userId: string, arrival: RequestArrival): Promise<UnifiedReply> {
    const { meta, events } = await this.start(request, userId, arrival);
    const collected = await lastValueFrom(
      events.pipe(
        reduce(
          (acc, event) => {
            if (event.type === undefined && typeof event.data === 'string' && event.comment === undefined) {
              acc.text += (JSON.parse(event.data) as { text: string }).text;
            } else if (event.type === 'done' || event.type === 'error') {
              acc.terminal = { type: event.type, data: JSON.parse(event.data as string) };
            }
            return acc;
          },
          { text: '', terminal: undefined as undefined | { type: string; data: DoneEventData | ErrorEventData } },
        ),
      ),
    );
    if (!collected.terminal || collected.terminal.type !== 'done') {
      const error = collected.terminal?.data as ErrorEventData | undefined;
      throw new DependencyUnavailableError('generator', new Error(error?.message ?? 'no reply'));
    }
    const done = collected.terminal.data as DoneEventData;
    return {
      response: collected.text,
      session_id: meta.session_id,
      stream_id: meta.stream_id,
      elp_values: { ethos: done.elp.ethos, logos: done.elp.logos, pathos: done.elp.pathos },
      flux_position: done.elp.flux_position,
      confidence: done.elp.confidence,
      generation_time_ms: done.stats.duration_ms,
      cached: done.cached,
    };
  }
}

function withTraceparent(traceparent: string | undefined): { traceparent?: string } {
  return traceparent ? { traceparent } : {};
}
