import { QueueName, type GenerateJobData } from '@app/contracts';
import { Queue } from 'bullmq';

/** Reads `generation` jobs as BullMQ stored them: what the provider was given, which worker ran it. */
export async function generationJobs(redisUrl: string, redisPrefix: string, ids: string[]) {
  const queue = new Queue<GenerateJobData>(QueueName.Generation, { connection: { url: redisUrl }, prefix: `{${redisPrefix}}` });
  try {
    return await Promise.all(ids.map(async (id) => (await queue.getJob(id))!));
  } finally {
    await queue.close();
  }
}
