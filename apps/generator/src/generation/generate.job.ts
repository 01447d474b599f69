import { Inject, Injectable, Logger } from '@nestjs/common';
import { analyzeElp, ElpAccumulator } from '@app/elp';
import {
  type DoneEventData,
  type DoneStatus,
  type ErrorEventData,
  type GenerateJobData,
  type ProviderInputData,
  type Source,
  type TurnStartedData,
  type TurnStatus,
} from '@app/contracts';
import { detectPii, piiDecision, PiiStreamRedactor, type PiiDecision, type PiiPolicy } from '@app/guardrails';
import { ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api';
import { APP_CONFIG, endSpan, HistoryClient, inSpan, startSpan, traceFields, traceIdFields, traceparentOf, type AppConfig } from '@app/platform';
import type { Job } from 'bullmq';
import { generationMetrics } from '../metrics/generation-metrics.js';
import { CHAT_PROVIDER, type ChatProvider } from '../providers/chat-provider.js';
import { ProviderError } from '../providers/provider-error.js';
import { Pacer, PacingClock } from '@app/pacing';
import { AppendResult, EntryKind, StreamStore, type StreamIds } from '@app/stream-store';
import { TurnRecorder, turnStats, withOutputDecision } from '@app/turn-events';
import { providerFingerprint, ReplyCache } from '@app/reply-cache';
import { ReplyStreamer, type SentReply, type StreamedReply, type StreamingEnd } from './reply-streamer.js';

export const HISTORY_CLIENT = Symbol('HISTORY_CLIENT');

/**
 * Handles one `generate` job: a turn from user message to `done`. Safe to run again after a crash:
 * the provider input is kept with the job, and chunks already in the log are skipped by seq.
 */
@Injectable()
export class GenerateJob {
  private readonly logger = new Logger(GenerateJob.name);
  private readonly pii: PiiPolicy;
  /** What this process generates with: a cache ticket made for another provider is not honoured. */
  private readonly fingerprint: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CHAT_PROVIDER) private readonly provider: ChatProvider,
    @Inject(HISTORY_CLIENT) private readonly history: HistoryClient,
    private readonly store: StreamStore,
    private readonly turns: TurnRecorder,
    private readonly clock: PacingClock,
    private readonly cache: ReplyCache,
  ) {
    this.fingerprint = providerFingerprint(config);
    this.pii = config.PII_POLICY;
  }

  /** `attempt`: the trace context of this attempt (the root context while tracing is off). */
  async run(job: Job<GenerateJobData>, signal: AbortSignal, attempt: Context = ROOT_CONTEXT): Promise<string> {
    const data = job.data;
    // The turn events carry the attempt's context: history's write joins the turn's trace.
    const turn = turnOf(data, traceparentOf(attempt));
    // A first attempt that waited less than a stream lives reads nothing before it starts: nothing
    // was sent yet, and its first chunk's script reads the stream's status and presence (a stop,
    // an abandoned stream or a lost one refuses that chunk). That was a round trip per turn
    // before its first chunk. A retry, or a job that waited longer, reads what was sent and
    // whether the stream still runs (a stream gone by then gets no provider request).
    const unread = !isRetry(job) && Date.now() - job.timestamp < this.config.STREAM_REPLAY_TTL_S * 1000;
    const { status, published } = unread ? NOTHING_SENT : await this.store.progress(data.stream_id);
    if (status !== 'running' && status !== 'cancelling') return `already ${status ?? 'expired'}`;

    const prepared = data.provider_input ?? (await inSpan('prepare input', attempt, { attributes: { stream_id: data.stream_id, session_id: data.session_id } }, () => this.prepareInput(job)));
    // A provider that does not repeat itself continues from what the log holds (docs/api.md §13,
    // "Retries"); a deterministic one regenerates the same reply and skips what was sent.
    const continuing = published > 0 && this.provider.continuesPartialReplies;
    const input = continuing ? { ...prepared, continueFrom: (await this.store.sentText(data.stream_id)).text } : prepared;
    // "Turn started" goes to history once the first chunk is out (or when the attempt ends before
    // one): history's write of it would otherwise share the machine with the first chunks.
    let started: Promise<void> | undefined;
    const recordStart = () => {
      started ??= this.turns.started(turn);
      started.catch(() => undefined); // awaited before the finish; this only keeps an early failure from being "unhandled"
      return started;
    };

    let outcome: DoneStatus = 'completed';
    let sources: Source[] = [];
    let firstChunkAt: number | undefined;
    let outputPii: PiiDecision | undefined;
    let limitReached = false;
    const pacer = new Pacer(this.config.PACING_MS, this.clock);
    // Output redaction happens before chunking, so what is streamed is what is stored.
    const redactor = this.pii.output === 'redact' ? new PiiStreamRedactor() : undefined;
    // Every word this attempt produced is analysed as it goes: when that is what the log holds,
    // the final ELP needs no second pass over the reply.
    const streamer = new ReplyStreamer(
      this.store,
      pacer,
      { text: '', words: [], elp: new ElpAccumulator(), snapshots: [] },
      {
        streamId: data.stream_id,
        published,
        firstSeq: continuing ? published + 1 : 1,
        maxChunks: data.completion?.max_chunks,
        redactor,
        signal,
        onFirstChunk: () => {
          firstChunkAt = Date.now();
          void recordStart();
        },
      },
    );
    // One span for the provider's whole reply (its request and the reading of its stream), none per chunk.
    const providerSpan = startSpan(
      'provider reply',
      { attributes: { stream_id: data.stream_id, session_id: data.session_id, provider: this.provider.name, continuing } },
      attempt,
    );
    try {
      const reply = await this.provider.reply(input, signal);
      sources = reply.sources;
      const streaming = await streamer.stream(reply.text);
      if (redactor) outputPii = piiDecision('output', 'redact', redactor.findings);
      providerSpan.setAttribute('chunks', streamer.lastSeq);
      if (streaming.end !== 'complete') providerSpan.setAttribute('stopped', stopReason(streaming));
      endSpan(providerSpan);
      if (streaming.end === 'refused' && streaming.result === AppendResult.Finished) {
        // A first attempt refused at its first chunk found its stream ended or gone: it has no turn to record.
        if (unread && streamer.logged.chunks === 0) return 'not running';
        await recordStart().catch(() => undefined);
        return 'finished elsewhere';
      }
      limitReached = streaming.end === 'limit';
      if (streaming.end === 'refused' || streaming.end === 'aborted') outcome = 'cancelled';
    } catch (err) {
      if (!signal.aborted) {
        endSpan(providerSpan, err);
        await recordStart().catch(() => undefined);
        throw err;
      }
      providerSpan.setAttribute('stopped', 'cancelled');
      endSpan(providerSpan);
      outcome = 'cancelled';
    }
    await recordStart();
    // Only a reply that ended by itself, whole and unredacted, may be played to someone else.
    const cacheable = outcome === 'completed' && !limitReached && outputPii?.action !== 'redacted';
    return this.finish(data, turn, isRetry(job), outcome, sources, streamer.streamed, streamer.logged, firstChunkAt, outputPii, trace.getSpan(attempt), cacheable);
  }

  /**
   * The provider input: the job's message and passages, and the session's last turns from history.
   * A retry must see the same input (a deterministic provider regenerates the same reply and skips
   * what was sent), and it does without the input being stored on the job: while this stream runs
   * it holds the session's only running slot, so no turn can be added to the context, and reading
   * it again gives the same turns. The exception is a read that fails: a first attempt then goes
   * on without context (a reply beats none while history is down) and stores that choice on the
   * job for its retries (the one `updateData`, only then); a retry whose read fails fails, to be
   * retried, rather than answer from another input than the one that started the reply.
   */
  private async prepareInput(job: Job<GenerateJobData>): Promise<ProviderInputData> {
    const data = job.data;
    const { conversation, instructions, temperature } = data.completion ?? {};
    const input = (history: ProviderInputData['history']): ProviderInputData => ({
      message: data.message,
      language: data.language,
      history,
      passages: data.context,
      instructions,
      temperature,
    });
    // Nothing to read: a new session, or the request brought its own conversation.
    if (data.new_session || conversation?.length) return input(conversation ?? []);
    try {
      return input(await this.history.context(data.session_id, this.config.CONTEXT_TURNS, data.stream_id));
    } catch (err) {
      if (isRetry(job)) throw err;
      this.logger.warn(`stream ${data.stream_id}: context unavailable (${(err as Error).message})`);
      const withoutContext = input([]);
      await job.updateData({ ...data, provider_input: withoutContext });
      return withoutContext;
    }
  }

  private async finish(
    data: GenerateJobData,
    turn: TurnStartedData,
    retry: boolean,
    outcome: DoneStatus,
    sources: Source[],
    streamed: StreamedReply,
    logged: SentReply,
    firstChunkAt?: number,
    outputPii?: PiiDecision,
    span?: Span,
    cacheable = false,
  ): Promise<string> {
    // A retry's log may hold an earlier attempt's words (a provider need not repeat itself): read it.
    const { text, chunks } = logged.complete ? logged : await this.store.sentText(data.stream_id);
    const output = outputPii ?? piiDecision('output', this.pii.output, this.pii.output === 'flag' ? detectPii(text) : []);
    const finishedAt = Date.now();
    const elp = text === streamed.text ? streamed.elp.result() : analyzeElp(text);
    const stats = turnStats({ receivedAtMs: data.received_at_ms, firstChunkAt, finishedAt }, chunks);
    const cached = cacheable && text === streamed.text ? this.storeInCache(data, streamed, sources, elp) : undefined;
    const persisted = await this.turns.finished(
      {
        ...turn,
        content: text,
        status: outcome,
        elp,
        stats,
        sources,
        finished_at: new Date(finishedAt).toISOString(),
        reply_metadata: withOutputDecision(data.metadata, output),
      },
      { retry },
    );
    // Stored before `done`: a client that asks again once it has its reply finds it.
    await cached;
    const done: DoneEventData = {
      stream_id: data.stream_id,
      session_id: data.session_id,
      status: outcome,
      chunks,
      elp,
      stats,
      cached: false,
      persisted,
      sources,
    };
    // `done`, and the session's and user's slots freed with it.
    await this.store.finish(idsOf(data), EntryKind.Done, chunks, done, outcome);
    generationMetrics.streams.inc({ outcome });
    if (outcome === 'completed') generationMetrics.tokensPerSecond.observe(stats.tokens_per_sec);
    this.logger.log(
      { stream_id: data.stream_id, session_id: data.session_id, ...traceFields(span), status: outcome, chunks, duration_ms: stats.duration_ms, persisted },
      'turn finished',
    );
    return outcome;
  }

  /** Keeps a completed reply for the turns that would get the same one (the gateway plays them). */
  private async storeInCache(data: GenerateJobData, streamed: StreamedReply, sources: Source[], elp: DoneEventData['elp']): Promise<void> {
    const ticket = data.cache;
    if (!ticket || ticket.provider !== this.fingerprint || streamed.words.length === 0) return;
    try {
      await this.cache.store(ticket, { chunks: streamed.words, sources, elp, elp_snapshots: streamed.snapshots });
    } catch (err) {
      // A reply that is not cached is only a later miss.
      this.logger.warn({ stream_id: data.stream_id, err: (err as Error).message }, 'reply not cached');
    }
  }

  /**
   * The last attempt failed: end the stream with an `error` so no client waits forever.
   * `traceparent`: the failed attempt's, for history's write (the gateway's when no attempt ran).
   */
  async fail(data: GenerateJobData, err: Error, traceparent = data.traceparent): Promise<void> {
    const { text, chunks } = await this.store.sentText(data.stream_id);
    // A provider's own code says what went wrong upstream (docs/api.md §13); anything else is ours.
    const error: ErrorEventData =
      err instanceof ProviderError
        ? { code: err.code, message: err.message, retryable: !err.final || err.code === 'continuation_unsupported' }
        : { code: 'generation_failed', message: 'The reply could not be generated', retryable: true };
    const status: TurnStatus = 'failed';
    await this.turns
      .finished(
        {
          ...turnOf(data, traceparent),
          content: text,
          status,
          elp: null,
          stats: null,
          sources: [],
          finished_at: new Date().toISOString(),
        },
        { retry: true }, // the failed attempt may have enqueued it already
      )
      .catch(() => false);
    await this.store.finish(idsOf(data), EntryKind.Error, chunks, error, status);
    generationMetrics.streams.inc({ outcome: 'error' });
    this.logger.error({ stream_id: data.stream_id, session_id: data.session_id, ...traceIdFields(traceparent), err: err.message }, 'generation failed for good');
  }
}

/** What a first attempt knows of its stream without reading it. */
const NOTHING_SENT = { status: 'running', published: 0 } as const;

/** Why a reply's streaming stopped before its end, as the provider span records it. */
function stopReason(streaming: StreamingEnd): string {
  if (streaming.end === 'refused') return AppendResult[streaming.result];
  return streaming.end === 'limit' ? 'max_tokens' : 'cancelled';
}

/**
 * Whether an earlier attempt of this job ran (it failed, or its worker stalled and lost it), so
 * that what it wrote may be there already; BullMQ counts every move to active. A first attempt
 * whose lock was taken over while it still ran counts as first: at worst it waits out
 * PERSIST_WAIT_MS for a confirmation that went to the other attempt, whose `done` wins anyway.
 */
function isRetry(job: Job<GenerateJobData>): boolean {
  return job.attemptsStarted > 1;
}

/** The ids that tie the job's stream to its session's and user's slots. */
function idsOf(data: GenerateJobData): StreamIds {
  return { streamId: data.stream_id, sessionId: data.session_id, userId: data.user_id };
}

/** What identifies a turn (and its user message) in every history write. */
function turnOf(data: GenerateJobData, traceparent: string | undefined): TurnStartedData {
  return {
    stream_id: data.stream_id,
    session_id: data.session_id,
    user_id: data.user_id,
    message: data.message,
    created_at: data.created_at,
    metadata: data.metadata,
    // Absent while tracing is off: the event is what it always was.
    ...(traceparent ? { traceparent } : {}),
  };
}
