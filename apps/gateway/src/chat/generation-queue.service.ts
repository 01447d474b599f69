import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { GenerationJobName, type GenerateJobData } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import { closeGenerationHandle, generationQueue, type GenerationQueueHandle } from '@app/platform/queues';
import type { JobType } from 'bullmq';
import { watchGenerationQueue } from '../metrics/queue-metrics.js';

/** Producer side of the `generation` queue. jobId = stream_id makes an enqueue idempotent while the job is in Redis (a stream is enqueued once). */
@Injectable()
export class GenerationQueue implements OnApplicationShutdown {
  private readonly queue: GenerationQueueHandle;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.queue = generationQueue(config);
    this.queue.on('error', () => undefined);
    watchGenerationQueue((...states) => this.queue.getJobCounts(...(states as JobType[])));
  }

  async enqueue(data: GenerateJobData): Promise<void> {
    await this.queue.add(GenerationJobName.Generate, data, { jobId: data.stream_id });
  }

  async onApplicationShutdown(): Promise<void> {
    await closeGenerationHandle(this.queue);
  }
}
