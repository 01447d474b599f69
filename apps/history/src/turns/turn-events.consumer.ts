import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { TurnEventKind, parseTurnEvent, type TurnEvent } from '@app/contracts';
import { SpanKind, type Span } from '@opentelemetry/api';
import { APP_CONFIG, contextFromTraceparent, endSpan, startSpan, traceFields, type AppConfig } from '@app/platform';
import { DatabaseService } from '../database/database.service.js';
import { TurnConfirmations } from './turn-confirmations.js';
import { TurnEventsStream, type TurnEventEntry } from './turn-events.stream.js';
import { TurnRepository } from './turn.repository.js';

/** How long a read waits for a first entry: also how long a stop may wait for the read in hand. */
const READ_BLOCK_MS = 1_000;
/** Deliveries after which an entry that still fails to be written is a dead letter. */
export const MAX_DELIVERIES = 5;
/** After a Redis error, wait this long before reading again. */
const RETRY_MS = 1_000;
/** Entries reclaimed per XAUTOCLAIM call. */
const RECLAIM_COUNT = 100;

/**
 * Consumes the turn events stream with the `history` consumer group in batches: a read waits for
 * a first entry, the entries that arrive in the next `HISTORY_BATCH_WAIT_MS` are read in one go
 * when that wait is over (up to `HISTORY_CONCURRENCY` entries in hand), and the repository writes
 * them in one transaction; then they are acknowledged and deleted and the finished turns
 * confirmed. Reads go on while a batch is written, so entries that arrive meanwhile form the next.
 *
 * An entry whose write fails stays pending; every `HISTORY_RECLAIM_IDLE_MS` / 3 the pending entries
 * idle that long (this process's failures, a crashed process's batch) are claimed and written
 * again. One delivered `MAX_DELIVERIES` times is moved to the dead-letter stream, but only while
 * the database answers: a database outage fails every write, and those entries must wait for it.
 */
@Injectable()
export class TurnEventsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TurnEventsConsumer.name);
  /** Unique per process: a restarted process's pending entries are reclaimed like a crashed one's. */
  private readonly consumer = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly inHand = new Map<string, Promise<void>>();
  private stopping = false;
  private reading?: Promise<void>;
  private reclaimTimer?: NodeJS.Timeout;
  private reclaiming?: Promise<void>;
  private wake?: () => void;
  /** Ends the wait for a batch's entries at once (on stop). */
  private endGathering?: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly stream: TurnEventsStream,
    private readonly turns: TurnRepository,
    private readonly confirmations: TurnConfirmations,
    private readonly database: DatabaseService,
  ) {}

  onApplicationBootstrap(): void {
    this.reading = this.readLoop();
    const every = Math.max(50, Math.round(this.config.HISTORY_RECLAIM_IDLE_MS / 3));
    this.reclaimTimer = setInterval(() => void this.reclaimPass(), every);
  }

  private async readLoop(): Promise<void> {
    let groupReady = false;
    while (!this.stopping) {
      try {
        if (!groupReady) {
          await this.stream.ensureGroup();
          await this.stream.forgetIdleConsumers().catch((err: Error) => this.logger.warn(`forgetting idle consumers: ${err.message}`));
          groupReady = true;
        }
        await this.roomToRead();
        if (this.stopping) break;
        const room = this.config.HISTORY_CONCURRENCY - this.inHand.size;
        const first = await this.stream.read(this.consumer, room, READ_BLOCK_MS);
        if (first.length > 0) void this.handle(await this.gather(first, room));
      } catch (err) {
        // NOGROUP: Redis lost the group (a restart without persistence); create it again.
        if ((err as Error).message.includes('NOGROUP')) groupReady = false;
        else this.logger.warn(`reading turn events: ${(err as Error).message}`);
        await this.pause(RETRY_MS);
      }
    }
  }

  /**
   * `first` and the entries that arrive within `HISTORY_BATCH_WAIT_MS` of it, read together once
   * the wait is over: they share one transaction, and a batch costs two reads instead of one per
   * arrival (a read that returns as soon as something arrived brings one or two entries).
   */
  private async gather(first: TurnEventEntry[], room: number): Promise<TurnEventEntry[]> {
    const waitMs = this.config.HISTORY_BATCH_WAIT_MS;
    if (waitMs === 0 || first.length >= room) return first;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      this.endGathering = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.endGathering = undefined;
    if (this.stopping) return first;
    try {
      return [...first, ...(await this.stream.read(this.consumer, room - first.length))];
    } catch (err) {
      // The rest stays in the stream for the next read; `first` is in hand already.
      this.logger.warn(`reading turn events: ${(err as Error).message}`);
      return first;
    }
  }

  /** Writes entries (one transaction for those in hand together), then settles and confirms the written ones. */
  private handle(entries: TurnEventEntry[]): Promise<void> {
    const handled = this.writeAndSettle(entries).finally(() => {
      for (const entry of entries) this.inHand.delete(entry.id);
      this.wake?.();
    });
    for (const entry of entries) this.inHand.set(entry.id, handled);
    return handled;
  }

  private async writeAndSettle(entries: TurnEventEntry[]): Promise<void> {
    const written: string[] = [];
    const confirmations: Promise<void>[] = [];
    await Promise.all(
      entries.map(async (entry) => {
        let event: TurnEvent;
        try {
          event = parseTurnEvent(entry.fields);
        } catch (err) {
          // No attempt can ever read it: no use delivering it again.
          return this.stream.deadLetter(entry, `unreadable: ${(err as Error).message}`).catch((e: Error) => this.logger.warn(e.message));
        }
        const span = writeSpan(event, entry, entries.length);
        try {
          const result = event.kind === TurnEventKind.TurnStarted ? await this.turns.recordStarted(event.turn) : await this.turns.recordFinished(event.turn);
          span?.setAttribute('history.result', result);
          if (span) endSpan(span);
          written.push(entry.id);
          this.logger.debug(`${event.kind} ${event.turn.stream_id} (${entry.id}): ${result}`);
          // Stored or skipped, the turn is decided: the waiting generator may report it.
          if (event.kind === TurnEventKind.TurnFinished && event.turn.confirm_to) confirmations.push(this.confirmations.confirm(event.turn.confirm_to, event.turn.stream_id));
        } catch (err) {
          if (span) endSpan(span, err);
          this.logger.warn(
            { stream_id: event.turn.stream_id, session_id: event.turn.session_id, ...traceFields(span) },
            `turn event ${entry.id} (${event.kind} ${event.turn.stream_id}) not written, kept for a retry: ${(err as Error).message}`,
          );
        }
      }),
    );
    // An entry written but not settled (Redis gone) is reclaimed and written again: a no-op.
    await Promise.all([this.stream.settle(written).catch((err: Error) => this.logger.warn(`settling turn events: ${err.message}`)), ...confirmations]);
  }

  /** Reclaims idle pending entries; dead-letters those delivered too often while the database answers. */
  private reclaimPass(): Promise<void> {
    this.reclaiming ??= this.reclaimIdle()
      .catch((err: Error) => this.logger.warn(`reclaiming turn events: ${err.message}`))
      .finally(() => (this.reclaiming = undefined));
    return this.reclaiming;
  }

  private async reclaimIdle(): Promise<void> {
    if (this.stopping) return;
    const claimed = await this.stream.reclaim(this.consumer, this.config.HISTORY_RECLAIM_IDLE_MS, RECLAIM_COUNT);
    // A write of this process that is merely slow is still in hand: not twice at once.
    const idle = claimed.filter((entry) => !this.inHand.has(entry.id));
    if (idle.length === 0) return;
    const poison = idle.filter((entry) => (entry.deliveries ?? 1) > MAX_DELIVERIES);
    const dead = poison.length > 0 && (await this.database.check().catch(() => false)) ? new Set(poison) : new Set<TurnEventEntry>();
    for (const entry of dead) await this.stream.deadLetter(entry, `not written after ${MAX_DELIVERIES} deliveries`);
    const retried = idle.filter((entry) => !dead.has(entry));
    this.logger.log(`reclaimed ${retried.length} turn events pending for ${this.config.HISTORY_RECLAIM_IDLE_MS} ms or more`);
    if (retried.length > 0) await this.handle(retried);
  }

  private roomToRead(): Promise<void> {
    if (this.inHand.size < this.config.HISTORY_CONCURRENCY) return Promise.resolve();
    return new Promise<void>((resolve) => (this.wake = resolve)).then(() => this.roomToRead());
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Finish the entries in hand before the database closes (the read in hand ends within READ_BLOCK_MS). */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearInterval(this.reclaimTimer);
    this.endGathering?.();
    this.wake?.();
    await this.reading;
    await this.reclaiming;
    await Promise.allSettled(this.inHand.values());
  }
}

/**
 * The write of one turn event, a child of the generator's attempt that added it (the context the
 * event carries). None for an event without one: it was added while tracing was off.
 */
function writeSpan(event: TurnEvent, entry: TurnEventEntry, batch: number): Span | undefined {
  if (!event.turn.traceparent) return undefined;
  return startSpan(
    'history write',
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        stream_id: event.turn.stream_id,
        session_id: event.turn.session_id,
        'history.event': event.kind,
        'history.entry_id': entry.id,
        'history.deliveries': entry.deliveries ?? 1,
        'history.entries_read': batch,
      },
    },
    contextFromTraceparent(event.turn.traceparent),
  );
}
