import { parseTurnEvent, QueueName, type GenerateJobData, type TurnEvent } from '@app/contracts';
import { StreamKeys } from '@app/stream-store';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

/** A handle on one of the deployment's queues, under the same prefix the services use. */
function queueOf<Data>(name: QueueName, redisUrl: string, redisPrefix: string): Queue<Data> {
  return new Queue<Data>(name, { connection: { url: redisUrl }, prefix: `{${redisPrefix}}` });
}

const generationQueue = (redisUrl: string, redisPrefix: string) => queueOf<GenerateJobData>(QueueName.Generation, redisUrl, redisPrefix);

/** Reads `generation` jobs as BullMQ stored them: what the provider was given, which worker ran it. */
export async function generationJobs(redisUrl: string, redisPrefix: string, ids: string[]) {
  const queue = generationQueue(redisUrl, redisPrefix);
  try {
    return await Promise.all(ids.map(async (id) => (await queue.getJob(id))!));
  } finally {
    await queue.close();
  }
}

/** Every job the `generation` queue has ever been given (and still keeps), whatever its state. */
export async function generationJobCount(redisUrl: string, redisPrefix: string): Promise<number> {
  const queue = generationQueue(redisUrl, redisPrefix);
  try {
    const counts = await queue.getJobCounts();
    return Object.values(counts).reduce((a, b) => a + b, 0);
  } finally {
    await queue.close();
  }
}

/** The turn events waiting in the history events stream (added, not yet written and deleted by history). */
export async function waitingTurnEvents(redisUrl: string, redisPrefix: string): Promise<TurnEvent[]> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const entries = await redis.xrange(new StreamKeys(redisPrefix).turnEvents(), '-', '+');
    return entries.map(([, fields]) => parseTurnEvent(fields));
  } finally {
    redis.disconnect();
  }
}
