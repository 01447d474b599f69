import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { GenerationJobName, QueueName, type GenerateJobData, type GenerationJob } from '@app/contracts';
import { APP_CONFIG, bullConnectionOptions, bullPrefix, type AppConfig } from '@app/platform';
import { Queue, type JobType } from 'bullmq';
import { watchGenerationQueue } from '../metrics/queue-metrics.js';

/** Producer side of the `generation` queue. jobId = stream_id makes an enqueue idempotent. */
@Injectable()
export class GenerationQueue implements OnApplicationShutdown {
  private readonly queue: Queue<GenerateJobData, string, GenerationJob['name']>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.queue = new Queue(QueueName.Generation, {
      connection: bullConnectionOptions(config.REDIS_URL),
      prefix: bullPrefix(config.REDIS_PREFIX),
      defaultJobOptions: {
        attempts: config.JOB_ATTEMPTS,
        backoff: { type: 'fixed', delay: 200 },
        removeOnComplete: { age: 3_600, count: 5_000 },
        removeOnFail: { age: 86_400 },
      },
    });
    this.queue.on('error', () => undefined);
    watchGenerationQueue((...states) => this.queue.getJobCounts(...(states as JobType[])));
  }

  async enqueue(data: GenerateJobData): Promise<void> {
    await this.queue.add(GenerationJobName.Generate, data, { jobId: data.stream_id });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
