import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { GenerationJobName, QueueName, type GenerationJob } from '@app/contracts';
import { CancelRequests, StreamKeys } from '@app/stream-store';
import { SpanKind } from '@opentelemetry/api';
import {
  APP_CONFIG,
  contextFromTraceparent,
  contextWith,
  endSpan,
  startSpan,
  traceIdFields,
  traceparentOf,
  type AppConfig,
  type ReadinessCheck,
} from '@app/platform';
import { closeGenerationHandle, generationWorker, type GenerationWorkerHandle, type JobOf } from '@app/platform/queues';
import { UnrecoverableError } from 'bullmq';
import { ProviderError } from '../providers/provider-error.js';
import { generationMetrics } from '../metrics/generation-metrics.js';
import { GenerateJob } from './generate.job.js';

/**
 * The BullMQ worker of the `generation` queue, and the control channel that carries cancels to
 * the worker holding the job (BullMQ can only abort a job from the worker that runs it).
 */
@Injectable()
export class GenerationWorker implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'redis';
  private readonly logger = new Logger(GenerationWorker.name);
  private worker?: GenerationWorkerHandle;
  private readonly cancels: CancelRequests;
  private readonly workerName = `generator-${hostname()}-${process.pid}`;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly generate: GenerateJob,
  ) {
    this.cancels = CancelRequests.connect(config, 'generator:control', new StreamKeys(config.REDIS_PREFIX));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.cancels.listen((streamId) => {
      if (this.worker?.cancelJob(streamId, 'cancelled')) this.logger.debug(`cancelling ${streamId}`);
    });

    this.worker = generationWorker(this.config, { [GenerationJobName.Generate]: (job, signal) => this.process(job, signal) }, this.workerName);
    this.worker.on('error', (err) => this.logger.warn(`generation worker: ${err.message}`));
    this.worker.on('stalled', () => generationMetrics.stalled.inc());
    this.worker.on('completed', () => generationMetrics.attempts.inc({ result: 'completed' }));
    this.worker.on('failed', (job, err) => {
      const last = !job || job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError;
      generationMetrics.attempts.inc({ result: last ? 'failed' : 'retried' });
      const ids = job ? { stream_id: job.data.stream_id, session_id: job.data.session_id, ...traceIdFields(job.data.traceparent) } : {};
      this.logger.warn(ids, `generate ${job?.id} attempt ${job?.attemptsMade} failed: ${err.message}`);
      // A job that stalled too often is failed by BullMQ without running the processor: end its stream here.
      if (job && /stalled/i.test(err.message)) void this.generate.fail(job.data, err).catch(() => undefined);
    });
  }

  private async process(job: JobOf<GenerationJob, GenerationJobName.Generate>, signal: AbortSignal): Promise<string> {
    // Queue wait is the first attempt's: a retry's wait since the enqueue includes the failed run.
    if (job.attemptsStarted <= 1) generationMetrics.queueWait.observe(Math.max(0, (job.processedOn ?? Date.now()) - job.timestamp) / 1000);
    // Every attempt, a retry's too, is a child of the gateway's enqueue (its traceparent stays in the job data).
    const span = startSpan(
      'generation attempt',
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          stream_id: job.data.stream_id,
          session_id: job.data.session_id,
          'messaging.system': 'bullmq',
          'messaging.destination.name': QueueName.Generation,
          'job.attempt': job.attemptsStarted,
          'job.worker': this.workerName,
        },
      },
      contextFromTraceparent(job.data.traceparent),
    );
    const attempt = contextWith(span);
    try {
      const outcome = await this.generate.run(job, signal, attempt);
      span.setAttribute('outcome', outcome);
      endSpan(span);
      return outcome;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      endSpan(span, error);
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      // A provider error that another attempt would meet again (a refused request) ends the stream now.
      const final = error instanceof UnrecoverableError || (error instanceof ProviderError && error.final);
      if (lastAttempt || final) {
        await this.generate.fail(job.data, error, traceparentOf(attempt)).catch((e) => this.logger.error(`could not end ${job.id}: ${(e as Error).message}`));
      }
      throw final && !(error instanceof UnrecoverableError) ? new UnrecoverableError(error.message) : error;
    }
  }

  async check(): Promise<boolean> {
    return (await this.worker?.isRunning()) === true && this.cancels.ready;
  }

  /**
   * First step of shutdown: take no new jobs and let the active ones finish (they are seconds
   * long); Redis connections and the control channel stay up until they have.
   */
  async onModuleDestroy(): Promise<void> {
    if (this.worker) await closeGenerationHandle(this.worker);
  }

  onApplicationShutdown(): void {
    this.cancels.close();
  }
}
