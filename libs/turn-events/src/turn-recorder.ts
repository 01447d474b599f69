import { randomUUID } from 'node:crypto';
import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { turnEventFields, TurnEventKind, type TurnEvent, type TurnFinishedData, type TurnStartedData } from '@app/contracts';
import { StreamKeys } from '@app/stream-store';
import { commandConnection, subscriberConnection, type AppConfig, type RedisClient } from '@app/platform';

/**
 * Records turns as entries of the history events stream (one XADD each), which history reads in
 * batches with a consumer group. Generators record the turns they generate; the gateway records
 * the turns it plays from the reply cache. The stream keeps a turn while the history service is down
 * (nothing lost); history's upserts keep an event delivered or added twice from being stored twice.
 * History confirms each finished turn on this process's own channel: a waiting turn hears only
 * about itself. (A turn a crashed attempt added names that attempt's channel; the retry adds it
 * again and hears about its own copy, or finds the "stored" marker history leaves when a
 * confirmation reached no one.)
 */
export class TurnRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TurnRecorder.name);
  private readonly keys: StreamKeys;
  private readonly redis: RedisClient;
  private readonly confirmations: RedisClient;
  private readonly channel: string;
  /** Finished turns waiting for history, by stream id. */
  private readonly waiting = new Map<string, () => void>();

  /** `service`: names the Redis connections (`<service>:history-events`, `<service>:confirmations`). */
  constructor(
    private readonly config: Pick<AppConfig, 'REDIS_URL' | 'REDIS_PREFIX' | 'PERSIST_WAIT_MS'>,
    service: string,
  ) {
    this.keys = new StreamKeys(config.REDIS_PREFIX);
    // Fails fast like the chunk writes: a turn that cannot be recorded fails the attempt, which is retried.
    this.redis = commandConnection(config, `${service}:history-events`);
    this.redis.on('error', () => undefined);
    this.channel = this.keys.turnsStoredChannel(randomUUID());
    this.confirmations = subscriberConnection(config, `${service}:confirmations`);
    this.confirmations.on('error', () => undefined);
    this.confirmations.on('message', (_channel: string, streamId: string) => this.waiting.get(streamId)?.());
  }

  /** Subscribed before the first turn is recorded, so no confirmation can come too early. */
  async onModuleInit(): Promise<void> {
    await this.confirmations.subscribe(this.channel);
  }

  async started(turn: TurnStartedData): Promise<void> {
    await this.add({ kind: TurnEventKind.TurnStarted, turn });
  }

  /**
   * Adds the finished turn and waits (bounded) until history has stored it. `retry`: an earlier
   * attempt of this turn ran, so its event may be stored already with its confirmation gone to
   * that attempt; the marker history then leaves is read in the same round trip as the XADD (a
   * first attempt saves the read).
   */
  async finished(turn: TurnFinishedData, { retry }: { retry: boolean }): Promise<boolean> {
    if (this.config.PERSIST_WAIT_MS === 0) {
      await this.add({ kind: TurnEventKind.TurnFinished, turn });
      return false;
    }
    let timer: NodeJS.Timeout | undefined;
    const confirmed = new Promise<boolean>((resolve) => {
      this.waiting.set(turn.stream_id, () => resolve(true));
      timer = setTimeout(() => resolve(false), this.config.PERSIST_WAIT_MS);
    });
    try {
      const event: TurnEvent = { kind: TurnEventKind.TurnFinished, turn: { ...turn, confirm_to: this.channel } };
      if (retry && (await this.addAndCheckStored(event))) return true;
      if (!retry) await this.add(event);
      if (await confirmed) return true;
      this.logger.warn(`turn ${turn.stream_id} not confirmed by history within ${this.config.PERSIST_WAIT_MS} ms`);
      return false;
    } finally {
      clearTimeout(timer);
      this.waiting.delete(turn.stream_id);
    }
  }

  /** No MAXLEN: a trim could drop events history has not read; history deletes what it has stored. */
  private async add(event: TurnEvent): Promise<void> {
    await this.redis.xadd(this.keys.turnEvents(), '*', ...turnEventFields(event));
  }

  /**
   * XADD and the read of the "stored" marker, one round trip: issued in the same tick, they leave
   * in one write (one per node on a cluster, as the two keys have their own slots).
   */
  private async addAndCheckStored(event: TurnEvent): Promise<boolean> {
    const [, stored] = await Promise.all([
      this.redis.xadd(this.keys.turnEvents(), '*', ...turnEventFields(event)),
      this.redis.exists(this.keys.turnStored(event.turn.stream_id)),
    ]);
    return stored === 1;
  }

  onApplicationShutdown(): void {
    this.confirmations.disconnect();
    this.redis.disconnect();
  }
}
