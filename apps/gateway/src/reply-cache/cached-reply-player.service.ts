import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { DoneEventData, DoneStatus, ErrorEventData, TurnStartedData, TurnStatus } from '@app/contracts';
import { analyzeElp, ElpAccumulator } from '@app/elp';
import { detectPii, parsePiiPolicy, piiDecision, type PiiPolicy } from '@app/guardrails';
import { Pacer, PacingClock } from '@app/pacing';
import { APP_CONFIG, ConfigError, type AppConfig } from '@app/platform';
import type { CachedReply } from '@app/reply-cache';
import { AppendResult, EntryKind, StreamStore } from '@app/stream-store';
import { TurnRecorder, withOutputDecision } from '@app/turn-events';

/** A running ELP snapshot goes to attached clients every this many chunks, as from a generator. */
const ELP_SNAPSHOT_EVERY = 20;

/** A cache hit, admitted like any turn (session claimed, meta and presence written, tap open). */
export interface CachedTurn {
  turn: TurnStartedData;
  reply: CachedReply;
  /** Epoch ms the gateway received the request. */
  receivedAtMs: number;
}

/** The gateway's own pacing clock for cached replies (`CACHE_PACING_MS`). */
export const CACHE_PACING_CLOCK = Symbol('CACHE_PACING_CLOCK');

/**
 * Plays a cached reply into its stream the way a generator would (docs/architecture.md "A cached
 * turn"): each chunk through the chunk script (first at once, then paced), ELP snapshots, the turn
 * events for history, `done` with `cached: true`, then the session's and user's slots released.
 * Clients, on this gateway or another, read it through the log and channel like any stream, so
 * resume, cancel and abandonment behave alike: the chunk script refuses the next chunk of a
 * cancelled or abandoned stream, and the replay ends `cancelled` with what was sent.
 */
@Injectable()
export class CachedReplyPlayer implements BeforeApplicationShutdown {
  private readonly logger = new Logger(CachedReplyPlayer.name);
  private readonly pii: PiiPolicy;
  private readonly pacingMs: number;
  private readonly playing = new Set<Promise<void>>();
  /** Replays never abort on their own: a cancel reaches them through the chunk script's answer. */
  private readonly never = new AbortController().signal;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CACHE_PACING_CLOCK) private readonly clock: PacingClock,
    private readonly store: StreamStore,
    private readonly turns: TurnRecorder,
  ) {
    this.pacingMs = config.CACHE_PACING_MS ?? config.PACING_MS;
    try {
      this.pii = parsePiiPolicy(config.PII_POLICY);
    } catch (err) {
      throw new ConfigError(`Invalid configuration for gateway:\n  PII_POLICY: ${(err as Error).message}`);
    }
  }

  /** Starts the replay; it runs on its own until the stream ends. */
  play(cached: CachedTurn): void {
    const run = this.run(cached).finally(() => this.playing.delete(run));
    this.playing.add(run);
  }

  private async run({ turn, reply, receivedAtMs }: CachedTurn): Promise<void> {
    const ids = { streamId: turn.stream_id, sessionId: turn.session_id, userId: turn.user_id };
    const started = this.turns.started(turn);
    started.catch(() => undefined); // awaited below; off the path to the first chunk
    const pacer = new Pacer(this.pacingMs, this.clock, this.never);
    const elp = new ElpAccumulator();
    let text = '';
    let sent = 0;
    let firstChunkAt: number | undefined;
    let outcome: DoneStatus = 'completed';
    try {
      for (const word of reply.chunks) {
        await pacer.next();
        const result = await this.store.append(turn.stream_id, sent + 1, word);
        if (result === AppendResult.Finished) return; // ended by someone else: nothing more to do
        if (result !== AppendResult.Appended) {
          outcome = 'cancelled'; // cancelling, or abandoned (no client on any gateway)
          break;
        }
        firstChunkAt ??= Date.now();
        sent += 1;
        text += word;
        elp.push(word);
        if (sent % ELP_SNAPSHOT_EVERY === 0) await this.store.publishElp(turn.stream_id, { seq: sent, ...elp.snapshot() });
      }
      await started;
      await this.finish(turn, reply, { outcome, text, sent, firstChunkAt, receivedAtMs, elp });
    } catch (err) {
      await started.catch(() => undefined);
      await this.fail(turn, text, sent, err as Error);
    } finally {
      pacer.dispose();
      await this.store.release(ids).catch(() => undefined);
    }
  }

  private async finish(
    turn: TurnStartedData,
    reply: CachedReply,
    played: { outcome: DoneStatus; text: string; sent: number; firstChunkAt?: number; receivedAtMs: number; elp: ElpAccumulator },
  ): Promise<void> {
    const { outcome, text, sent, firstChunkAt, receivedAtMs } = played;
    const finishedAt = Date.now();
    const durationMs = finishedAt - receivedAtMs;
    // The whole reply's ELP was stored with it; a cancelled replay's is the part that was sent.
    const elp = sent === reply.chunks.length ? reply.elp : sent > 0 ? played.elp.result() : analyzeElp(text);
    const stats = {
      ttft_ms: firstChunkAt ? firstChunkAt - receivedAtMs : 0,
      duration_ms: durationMs,
      tokens: sent,
      tokens_per_sec: durationMs > 0 ? Math.round((sent / durationMs) * 10_000) / 10 : 0,
    };
    const output = piiDecision('output', this.pii.output, this.pii.output === 'flag' ? detectPii(text) : []);
    const persisted = await this.turns.finished(
      {
        ...turn,
        content: text,
        status: outcome,
        elp,
        stats,
        sources: reply.sources,
        finished_at: new Date(finishedAt).toISOString(),
        reply_metadata: withOutputDecision(turn.metadata, output),
      },
      { retry: false },
    );
    const done: DoneEventData = {
      stream_id: turn.stream_id,
      session_id: turn.session_id,
      status: outcome,
      chunks: sent,
      elp,
      stats,
      cached: true,
      persisted,
      sources: reply.sources,
    };
    await this.store.finish(turn.stream_id, EntryKind.Done, sent, done, outcome);
    this.logger.log({ stream_id: turn.stream_id, session_id: turn.session_id, status: outcome, chunks: sent, duration_ms: durationMs, persisted, cached: true }, 'turn finished');
  }

  /** Redis failed under the replay: the stream ends with an error, the partial reply stored as failed (best effort). */
  private async fail(turn: TurnStartedData, text: string, sent: number, err: Error): Promise<void> {
    this.logger.error({ stream_id: turn.stream_id, session_id: turn.session_id, err: err.message }, 'cached reply could not be played');
    const status: TurnStatus = 'failed';
    const error: ErrorEventData = { code: 'generation_failed', message: 'The reply could not be played', retryable: true };
    await this.turns
      .finished({ ...turn, content: text, status, elp: null, stats: null, sources: [], finished_at: new Date().toISOString() }, { retry: false })
      .catch(() => undefined);
    await this.store.finish(turn.stream_id, EntryKind.Error, sent, error, status).catch(() => undefined);
  }

  /** SIGTERM: the replays in progress finish (they are seconds long), like a generator's active jobs. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.playing]);
  }
}
