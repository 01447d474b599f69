import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HistoryJobName, QueueName, type HistoryJob, type TurnFinishedData } from '@app/contracts';
import { APP_CONFIG, bullConnectionOptions, bullPrefix, type AppConfig } from '@app/platform';
import { Worker, type Job } from 'bullmq';
import { TurnConfirmations } from './turn-confirmations.js';
import { TurnRepository } from './turn.repository.js';

/** Consumes the `history` queue: one handler per job name, each safe to run twice. */
@Injectable()
export class HistoryQueueWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(HistoryQueueWorker.name);
  private worker?: Worker<HistoryJob['data'], string, HistoryJob['name']>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly turns: TurnRepository,
    private readonly confirmations: TurnConfirmations,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker(QueueName.History, (job) => this.handle(job as Job<never, string, HistoryJob['name']>), {
      connection: bullConnectionOptions(this.config.REDIS_URL),
      prefix: bullPrefix(this.config.REDIS_PREFIX),
      concurrency: this.config.HISTORY_CONCURRENCY,
    });
    this.worker.on('failed', (job, err) => this.logger.warn(`history job ${job?.id} failed: ${err.message}`));
    this.worker.on('error', (err) => this.logger.warn(`history worker: ${err.message}`));
  }

  async handle(job: Job<never, string, HistoryJob['name']>): Promise<string> {
    const started = Date.now();
    let result: string;
    if (job.name === HistoryJobName.TurnStarted) {
      result = await this.turns.recordStarted(job.data);
    } else {
      const turn: TurnFinishedData = job.data;
      result = await this.turns.recordFinished(turn);
      // Stored or skipped, the turn is decided: the waiting generator may report it.
      if (turn.confirm_to) await this.confirmations.confirm(turn.confirm_to, turn.stream_id);
    }
    this.logger.debug(`${job.name} ${job.id}: ${result} in ${Date.now() - started} ms`);
    return result;
  }

  /** Finish the jobs in hand before the database closes. */
  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
  }
}
