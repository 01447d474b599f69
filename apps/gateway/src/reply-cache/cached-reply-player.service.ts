import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import type { DoneEventData, DoneStatus, ErrorEventData, TurnFinishedData, TurnStartedData, TurnStatus } from '@app/contracts';
import { analyzeElp } from '@app/elp';
import { detectPii, piiDecision, type PiiPolicy } from '@app/guardrails';
import { PacingClock } from '@app/pacing';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import { ReplayRegistry, type CachedReply } from '@app/reply-cache';
import { chunkEntry, EntryKind, StreamStore, type StreamIds } from '@app/stream-store';
import { TurnRecorder, turnStats, withOutputDecision } from '@app/turn-events';
import { ChunkReplay, type PlayedChunks } from './chunk-replay.js';
import { untilRedisAnswers } from './until-redis-answers.js';

/** A cache hit, admitted like any turn (session claimed, meta and presence written, tap open). */
export interface CachedTurn {
  turn: TurnStartedData;
  reply: CachedReply;
  /** Epoch ms the gateway received the request. */
  receivedAtMs: number;
  /**
   * The starting connection's own tap: the first chunk goes to it at once, without waiting for the
   * append's answer or its copy through pub/sub (the "first word at once" of a cache hit).
   */
  firstChunkTo?: (raw: string) => void;
}

/**
 * How long a gateway vouches for its replays ahead (refreshed every `LEASE_REFRESH_MS`): a replay
 * not vouched for since this long lost its gateway, and another gateway ends it.
 */
export const REPLAY_LEASE_MS = 5_000;
const LEASE_REFRESH_MS = 1_000;

/** The gateway's own pacing clock for cached replies (`CACHE_PACING_MS`). */
export const CACHE_PACING_CLOCK = Symbol('CACHE_PACING_CLOCK');

/**
 * Plays a cached reply into its stream the way a generator would (docs/architecture.md "A cached
 * turn"): each chunk through the chunk script (first at once, then paced), ELP snapshots, the turn
 * events for history, `done` with `cached: true`, then the session's and user's slots released.
 * Clients, on this gateway or another, read it through the log and channel like any stream, so
 * resume, cancel and abandonment behave alike: the chunk script refuses the next chunk of a
 * cancelled or abandoned stream, and the replay ends `cancelled` with what was sent.
 *
 * A gateway that dies mid-replay leaves a stream nobody writes: every gateway vouches for its
 * replays in a registry every second, and ends the streams of replays nobody vouches for (with
 * `error`, the partial reply stored as failed), so clients and the session are not left waiting.
 */
@Injectable()
export class CachedReplyPlayer implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(CachedReplyPlayer.name);
  private readonly pii: PiiPolicy;
  private readonly pacingMs: number;
  private readonly playing = new Set<Promise<void>>();
  /** Registry members of this gateway's running replays. */
  private readonly held = new Set<string>();
  private readonly timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CACHE_PACING_CLOCK) private readonly clock: PacingClock,
    private readonly store: StreamStore,
    private readonly turns: TurnRecorder,
    private readonly registry: ReplayRegistry,
  ) {
    // With the cache off this gateway plays nothing; the gateways that do end each other's orphans.
    if (config.CACHE_SCOPE !== 'off') {
      this.timer = setInterval(() => void this.sweep(), LEASE_REFRESH_MS);
      this.timer.unref();
    }
    this.pacingMs = config.CACHE_PACING_MS ?? config.PACING_MS;
    this.pii = config.PII_POLICY;
  }

  /**
   * Starts the replay; it runs on its own until the stream ends. The first chunk is handed to the
   * starting connection now, so that it leaves in the response's first write with the headers and
   * `meta`. Everything else (the registry entry, the first append, the pacing) starts once that
   * write has gone: `setImmediate` runs after the request's promise chain, which writes the response.
   */
  play(cached: CachedTurn): void {
    const handedOverAt = this.handOverFirstChunk(cached);
    const run = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.playHeld(cached, handedOverAt));
    this.playing.add(run);
    void run.finally(() => this.playing.delete(run));
  }

  /**
   * The first chunk goes to the starting connection as its append leaves, not a round trip
   * later: nothing can refuse seq 1 of a stream this gateway has just opened (running, its
   * presence set, its id not yet known to anyone who could cancel it). Only a Redis failure
   * can, and it ends the stream with an error once the retries give up.
   */
  private handOverFirstChunk({ reply, firstChunkTo }: CachedTurn): number | undefined {
    if (!firstChunkTo) return undefined;
    firstChunkTo(chunkEntry(1, reply.chunks[0]));
    return Date.now();
  }

  /** The replay, vouched for in the registry while it runs. */
  private async playHeld(cached: CachedTurn, handedOverAt: number | undefined): Promise<void> {
    const member = JSON.stringify(cached.turn);
    this.held.add(member);
    this.registry.hold([member], Date.now() + REPLAY_LEASE_MS).catch(() => undefined);
    try {
      await this.run(cached, handedOverAt);
    } finally {
      this.held.delete(member);
      await this.registry.drop(member).catch(() => undefined);
    }
  }

  /** Vouches for this gateway's replays, and ends the streams of replays no gateway vouches for. */
  private async sweep(): Promise<void> {
    try {
      const now = Date.now();
      await this.registry.hold([...this.held], now + REPLAY_LEASE_MS);
      for (const member of await this.registry.claimOrphans(now)) await this.endOrphan(JSON.parse(member) as TurnStartedData);
    } catch (err) {
      this.logger.debug(`replay sweep failed: ${(err as Error).message}`);
    }
  }

  /** A replay whose gateway died: its stream ends with `error` (unless it has ended), as a failed generation's would. */
  private async endOrphan(turn: TurnStartedData): Promise<void> {
    const { text, chunks } = await this.store.sentText(turn.stream_id);
    const error: ErrorEventData = { code: 'stream_interrupted', message: 'The gateway playing this reply stopped; send the message again', retryable: true };
    const ids = { streamId: turn.stream_id, sessionId: turn.session_id, userId: turn.user_id };
    if (!(await this.store.finish(ids, EntryKind.Error, chunks, error, 'failed'))) return;
    this.logger.warn({ stream_id: turn.stream_id, session_id: turn.session_id, chunks }, 'cached replay lost its gateway: stream ended');
    // Not waited for: its confirmation may take PERSIST_WAIT_MS, and the sweep has others to end.
    void this.turns
      .finished({ ...turn, content: text, status: 'failed', elp: null, stats: null, sources: [], finished_at: new Date().toISOString() }, { retry: true })
      .catch(() => undefined);
  }

  private async run({ turn, reply, receivedAtMs }: CachedTurn, handedOverAt: number | undefined): Promise<void> {
    const ids = { streamId: turn.stream_id, sessionId: turn.session_id, userId: turn.user_id };
    // "Turn started" goes to history once the first chunk is out: history's write of it would
    // otherwise share the machine with this gateway just while the first chunk is on its way.
    let started: Promise<void> | undefined;
    const recordStart = () => {
      started ??= untilRedisAnswers(() => this.turns.started(turn));
      started.catch(() => undefined); // awaited before the finish
      return started;
    };
    const pacing = { intervalMs: this.pacingMs, clock: this.clock };
    const replay = new ChunkReplay(this.store, turn.stream_id, reply.chunks, reply.elp_snapshots, pacing, () => void recordStart(), handedOverAt);
    // The stream's end frees the session's and user's slots with it; otherwise (ended elsewhere, or
    // Redis failed throughout) they are freed here.
    let released = false;
    try {
      const played = await replay.play();
      if (played.outcome === 'ended elsewhere') return; // nothing more to do
      await recordStart();
      await this.finish(ids, turn, reply, { ...played, outcome: played.outcome, receivedAtMs });
      released = true;
    } catch (err) {
      await recordStart().catch(() => undefined);
      released = await this.fail(ids, turn, replay.played.text, replay.played.sent, err as Error);
    } finally {
      if (!released) await this.store.release(ids).catch(() => undefined);
    }
  }

  private async finish(
    ids: StreamIds,
    turn: TurnStartedData,
    reply: CachedReply,
    played: PlayedChunks & { outcome: DoneStatus; receivedAtMs: number },
  ): Promise<void> {
    const { outcome, text, sent, firstChunkAt, receivedAtMs } = played;
    const finishedAt = Date.now();
    // The whole reply's ELP was stored with it; a cancelled replay's is the part that was sent.
    const elp = sent === reply.chunks.length ? reply.elp : sent > 0 && played.elp ? played.elp.result() : analyzeElp(text);
    const stats = turnStats({ receivedAtMs, firstChunkAt, finishedAt }, sent);
    const output = piiDecision('output', this.pii.output, this.pii.output === 'flag' ? detectPii(text) : []);
    // A repeat after a lost answer looks for history's "stored" marker, as a retried job does.
    const finished: TurnFinishedData = {
      ...turn,
      content: text,
      status: outcome,
      elp,
      stats,
      sources: reply.sources,
      finished_at: new Date(finishedAt).toISOString(),
      reply_metadata: withOutputDecision(turn.metadata, output),
    };
    // A repeat after a lost answer looks for history's "stored" marker, as a retried job does.
    const persisted = await untilRedisAnswers((attempt) => this.turns.finished(finished, { retry: attempt > 1 }));
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
    await untilRedisAnswers(() => this.store.finish(ids, EntryKind.Done, sent, done, outcome));
    this.logger.log({ stream_id: turn.stream_id, session_id: turn.session_id, status: outcome, chunks: sent, duration_ms: stats.duration_ms, persisted, cached: true }, 'turn finished');
  }

  /**
   * Redis failed under the replay: the stream ends with an error, the partial reply stored as
   * failed (best effort). True when the end (and with it the slots' release) reached Redis.
   */
  private async fail(ids: StreamIds, turn: TurnStartedData, text: string, sent: number, err: Error): Promise<boolean> {
    this.logger.error({ stream_id: turn.stream_id, session_id: turn.session_id, err: err.message }, 'cached reply could not be played');
    const status: TurnStatus = 'failed';
    const error: ErrorEventData = { code: 'generation_failed', message: 'The reply could not be played', retryable: true };
    await this.turns
      .finished({ ...turn, content: text, status, elp: null, stats: null, sources: [], finished_at: new Date().toISOString() }, { retry: false })
      .catch(() => undefined);
    return this.store.finish(ids, EntryKind.Error, sent, error, status).then(
      () => true,
      () => false,
    );
  }

  /** SIGTERM: the replays in progress finish (they are seconds long), like a generator's active jobs. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.playing]);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
