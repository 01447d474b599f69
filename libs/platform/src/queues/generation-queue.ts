import { QueueName, type GenerationJob } from '@app/contracts';
import { Queue, type DefaultJobOptions, type Job, type Worker } from 'bullmq';
import type { AppConfig } from '../config/app-config.js';
import { bullConnectionOptions, bullPrefix, bullQueueConnection, releaseBullConnection } from '../redis/redis-connections.js';
import { StartAsFetchedWorker } from './start-as-fetched-worker.js';

/**
 * The `generation` queue, defined once for its producer (the gateway) and its consumer (the
 * generator): its name, its jobs' options, its worker's settings, and a handler per job name.
 * Imported as `@app/platform/queues`, not through `@app/platform`: history does not use the queue,
 * and BullMQ (with cron-parser, luxon, msgpackr) is ~4 MB of heap a process loads at start.
 */

/** A job of the union `J` as BullMQ hands it over, narrowed to the job name `N`. */
export type JobOf<J extends { name: string; data: unknown }, N extends J['name'] = J['name']> = Job<Extract<J, { name: N }>['data'], string, N>;

/** One handler per job name, each given its own job type; the result is the job's return value. */
export type JobHandlers<J extends { name: string; data: unknown }> = {
  [N in J['name']]: (job: JobOf<J, N>, signal: AbortSignal) => Promise<string>;
};

/**
 * The processor that runs each job with the handler of its name. TypeScript cannot relate a
 * job's name to its handler through an index, so the one widening of the lookup lives here.
 */
function dispatchJobs<J extends { name: string; data: unknown }>(handlers: JobHandlers<J>) {
  return (job: JobOf<J>, signal: AbortSignal): Promise<string> => {
    const handler = handlers[job.name as J['name']] as ((job: JobOf<J>, signal: AbortSignal) => Promise<string>) | undefined;
    if (!handler) return Promise.reject(new Error(`no handler for job ${job.name} of queue ${job.queueName}`));
    return handler(job, signal);
  };
}

/**
 * Options of every `generation` job: retried after 200 ms up to `JOB_ATTEMPTS`; a failed one kept
 * a day for inspection. A completed one is removed as it completes, unless `JOB_KEEP_COMPLETED`
 * asks to keep the last so many: its turn is in history, and its stream's log says how it ended.
 * Kept jobs cost every finish a trim of the completed set and Redis their data (a job's id is its
 * stream's, and a stream is enqueued once: the kept job never served to make an enqueue idempotent).
 */
function generationJobOptions(config: Pick<AppConfig, 'JOB_ATTEMPTS' | 'JOB_KEEP_COMPLETED'>): DefaultJobOptions {
  return {
    attempts: config.JOB_ATTEMPTS,
    backoff: { type: 'fixed', delay: 200 },
    removeOnComplete: config.JOB_KEEP_COMPLETED > 0 ? { count: config.JOB_KEEP_COMPLETED } : true,
    removeOnFail: { age: 86_400 },
  };
}

export type GenerationQueueHandle = Queue<GenerationJob['data'], string, GenerationJob['name']>;
export type GenerationWorkerHandle = Worker<GenerationJob['data'], string, GenerationJob['name']>;

/** The producer's handle on the `generation` queue. Enqueue with `jobId = stream_id`: an enqueue is idempotent while the job is in Redis. */
export function generationQueue(
  config: Pick<AppConfig, 'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'REDIS_PREFIX' | 'JOB_ATTEMPTS' | 'JOB_KEEP_COMPLETED'>,
): GenerationQueueHandle {
  return new Queue(QueueName.Generation, {
    connection: bullQueueConnection(config),
    prefix: bullPrefix(config.REDIS_PREFIX),
    defaultJobOptions: generationJobOptions(config),
    // Nothing reads the queue's event stream (no QueueEvents): BullMQ still appends each job's
    // moves to it, so it is kept short instead of at its default 10,000 entries.
    streams: { events: { maxLen: 100 } },
  });
}

/** A worker of the `generation` queue that runs each job with the handler of its name. */
export function generationWorker(
  config: Pick<AppConfig, 'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'REDIS_PREFIX' | 'GENERATOR_CONCURRENCY' | 'JOB_LOCK_MS' | 'JOB_STALLED_INTERVAL_MS'>,
  handlers: JobHandlers<GenerationJob>,
  /** Recorded on each job as processedBy: operators (and tests) see which process ran it. */
  workerName: string,
): GenerationWorkerHandle {
  const process = dispatchJobs(handlers);
  return new StartAsFetchedWorker(QueueName.Generation, (job, _token, signal) => process(job, signal ?? new AbortController().signal), {
    connection: bullConnectionOptions(config),
    prefix: bullPrefix(config.REDIS_PREFIX),
    name: workerName,
    // Jobs mostly wait on pacing timers, so one process holds hundreds of them.
    concurrency: config.GENERATOR_CONCURRENCY,
    // Short locks: a SIGKILLed worker's streams are taken over after about lock + stall interval.
    lockDuration: config.JOB_LOCK_MS,
    stalledInterval: config.JOB_STALLED_INTERVAL_MS,
    maxStalledCount: 5,
  });
}

/** Closes a queue or worker, then what its connection opened for a Redis Cluster. */
export async function closeGenerationHandle(handle: GenerationQueueHandle | GenerationWorkerHandle): Promise<void> {
  await handle.close();
  await releaseBullConnection(handle.opts.connection);
}
