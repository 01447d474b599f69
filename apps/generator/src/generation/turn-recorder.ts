import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  historyJobId,
  HistoryJobName,
  QueueName,
  StreamKeys,
  type HistoryJob,
  type TurnFinishedData,
  type TurnStartedData,
} from '@app/contracts';
import { APP_CONFIG, bullConnectionOptions, bullPrefix, subscriberConnection, type AppConfig } from '@app/platform';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Records turns through the `history` queue. The queue keeps a turn while the history service is
 * down (nothing lost); jobIds and upserts keep a retried turn from being stored twice.
 * History confirms each finished turn on this process's own channel: a waiting turn hears only
 * about itself, instead of every generator reading every event of the history queue. (A turn a
 * crashed attempt enqueued names that attempt's channel: if it is not stored yet, the retry waits
 * in vain and reports `persisted: false`; the turn is stored all the same.)
 */
@Injectable()
export class TurnRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TurnRecorder.name);
  private readonly queue: Queue<HistoryJob['data'], string, HistoryJob['name']>;
  private readonly confirmations: Redis;
  private readonly channel: string;
  /** Finished turns waiting for history, by stream id. */
  private readonly waiting = new Map<string, () => void>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.queue = new Queue(QueueName.History, {
      connection: bullConnectionOptions(config.REDIS_URL),
      prefix: bullPrefix(config.REDIS_PREFIX),
      defaultJobOptions: {
        attempts: 1_000,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: { age: 3_600, count: 10_000 },
        removeOnFail: { age: 7 * 86_400 },
      },
    });
    this.queue.on('error', (err) => this.logger.warn(`history queue: ${err.message}`));
    this.channel = new StreamKeys(config.REDIS_PREFIX).turnsStoredChannel(randomUUID());
    this.confirmations = subscriberConnection(config.REDIS_URL, 'generator:confirmations');
    this.confirmations.on('error', () => undefined);
    this.confirmations.on('message', (_channel: string, streamId: string) => this.waiting.get(streamId)?.());
  }

  /** Subscribed before the worker takes its first job, so no confirmation can come too early. */
  async onModuleInit(): Promise<void> {
    await this.confirmations.subscribe(this.channel);
  }

  async started(turn: TurnStartedData): Promise<void> {
    await this.queue.add(HistoryJobName.TurnStarted, turn, { jobId: historyJobId(HistoryJobName.TurnStarted, turn.stream_id) });
  }

  /**
   * Enqueues the finished turn and waits (bounded) until history has stored it. `retry`: an earlier
   * attempt of this turn ran, so its job may exist already (and be stored, with no confirmation to
   * come); a first attempt saves the round trip that asks.
   */
  async finished(turn: TurnFinishedData, { retry }: { retry: boolean }): Promise<boolean> {
    const jobId = historyJobId(HistoryJobName.TurnFinished, turn.stream_id);
    if (this.config.PERSIST_WAIT_MS === 0) {
      await this.queue.add(HistoryJobName.TurnFinished, turn, { jobId });
      return false;
    }
    let timer: NodeJS.Timeout | undefined;
    const confirmed = new Promise<boolean>((resolve) => {
      this.waiting.set(turn.stream_id, () => resolve(true));
      timer = setTimeout(() => resolve(false), this.config.PERSIST_WAIT_MS);
    });
    try {
      const job = await this.queue.add(HistoryJobName.TurnFinished, { ...turn, confirm_to: this.channel }, { jobId });
      // A job an earlier attempt enqueued may be done already: history will not confirm it again.
      if (retry && (await job.getState().catch(() => 'unknown')) === 'completed') return true;
      if (await confirmed) return true;
      this.logger.warn(`turn ${turn.stream_id} not confirmed by history within ${this.config.PERSIST_WAIT_MS} ms`);
      return false;
    } finally {
      clearTimeout(timer);
      this.waiting.delete(turn.stream_id);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.confirmations.disconnect();
    await this.queue.close();
  }
}
