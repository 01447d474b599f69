import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  historyJobId,
  HistoryJobName,
  QueueName,
  type HistoryJob,
  type TurnFinishedData,
  type TurnStartedData,
} from '@app/contracts';
import { APP_CONFIG, bullConnectionOptions, bullPrefix, type AppConfig } from '@app/platform';
import { Queue, QueueEvents } from 'bullmq';

/**
 * Records turns through the `history` queue. The queue keeps a turn while the history service is
 * down (nothing lost); jobIds and upserts keep a retried turn from being stored twice.
 */
@Injectable()
export class TurnRecorder implements OnApplicationShutdown {
  private readonly logger = new Logger(TurnRecorder.name);
  private readonly queue: Queue<HistoryJob['data'], string, HistoryJob['name']>;
  private readonly events: QueueEvents;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const connection = bullConnectionOptions(config.REDIS_URL);
    const prefix = bullPrefix(config.REDIS_PREFIX);
    this.queue = new Queue(QueueName.History, {
      connection,
      prefix,
      defaultJobOptions: {
        attempts: 1_000,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: { age: 3_600, count: 10_000 },
        removeOnFail: { age: 7 * 86_400 },
      },
    });
    this.events = new QueueEvents(QueueName.History, { connection, prefix });
    this.queue.on('error', (err) => this.logger.warn(`history queue: ${err.message}`));
    this.events.on('error', (err) => this.logger.warn(`history queue events: ${err.message}`));
  }

  async started(turn: TurnStartedData): Promise<void> {
    await this.queue.add(HistoryJobName.TurnStarted, turn, { jobId: historyJobId(HistoryJobName.TurnStarted, turn.stream_id) });
  }

  /** Enqueues the finished turn and waits (bounded) until history has stored it. */
  async finished(turn: TurnFinishedData): Promise<boolean> {
    const job = await this.queue.add(HistoryJobName.TurnFinished, turn, {
      jobId: historyJobId(HistoryJobName.TurnFinished, turn.stream_id),
    });
    if (this.config.PERSIST_WAIT_MS === 0) return false;
    try {
      // A job finished by an earlier attempt is reported at once.
      if ((await job.getState()) === 'completed') return true;
      await job.waitUntilFinished(this.events, this.config.PERSIST_WAIT_MS);
      return true;
    } catch (err) {
      this.logger.warn(`turn ${turn.stream_id} not confirmed by history: ${(err as Error).message}`);
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }
}
