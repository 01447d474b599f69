import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { GenerationJobName, type GenerationJob } from '@app/contracts';
import { closeGenerationHandle, generationQueue, generationWorker, type GenerationQueueHandle, type GenerationWorkerHandle } from '@app/platform/queues';
import { TestRedis } from '../support/redis-server.js';
import { until } from '../support/until.js';

type Handler = (job: { id?: string; attemptsStarted: number; data: { i: number } }, signal: AbortSignal) => Promise<string>;

/**
 * The generator's worker of the `generation` queue on a real redis-server: it starts each job as
 * soon as it has fetched it (a burst's first jobs run while later ones still wait), and keeps what
 * BullMQ's own loop gives: its concurrency, lock renewal for long jobs, cancellation through the
 * job's signal, retries, and a close that waits for the jobs in hand.
 */
describe('generation worker', () => {
  let server: TestRedis;
  let prefixes = 0;
  let queue: GenerationQueueHandle;
  let worker: GenerationWorkerHandle | undefined;

  beforeAll(async () => {
    server = await TestRedis.start();
  });

  afterEach(async () => {
    if (worker) await closeGenerationHandle(worker);
    worker = undefined;
    await closeGenerationHandle(queue);
  });

  afterAll(async () => {
    await server.stop();
  });

  type Settings = { concurrency?: number; attempts?: number; lockMs?: number };

  /** The settings of the current test's queue (`start` moves on to a new prefix). */
  const configOf = (settings: Settings) => ({
    REDIS_URL: server.url,
    REDIS_CLUSTER_NODES: undefined,
    REDIS_PREFIX: `worker-test-${prefixes}`,
    JOB_ATTEMPTS: settings.attempts ?? 1,
    JOB_KEEP_COMPLETED: 0, // the product's default: each job removed as it completes
    GENERATOR_CONCURRENCY: settings.concurrency ?? 500,
    JOB_LOCK_MS: settings.lockMs ?? 30_000,
    JOB_STALLED_INTERVAL_MS: settings.lockMs ?? 30_000,
  });

  /** Jobs the current worker completed: counted from its events, since a completed job is removed at once. */
  let completed = 0;

  function start(handler: Handler, settings: Settings = {}) {
    prefixes += 1;
    const config = configOf(settings);
    queue = generationQueue(config);
    worker = generationWorker(config, { [GenerationJobName.Generate]: handler as never }, 'worker-test');
    completed = 0;
    worker.on('completed', () => (completed += 1));
    return worker;
  }

  /** Calls of the commands matching `name` the test's redis-server has answered so far (inside scripts too). */
  async function commandCalls(name: string): Promise<number> {
    const client = server.client();
    try {
      const stats = await client.info('commandstats');
      return [...stats.matchAll(new RegExp(`^cmdstat_${name}:calls=(\\d+)`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
    } finally {
      client.disconnect();
    }
  }

  /** Script calls the test's redis-server has answered so far (EVAL too: ioredis sends a script's text the first time Redis does not know it). */
  const scriptCalls = () => commandCalls('eval(?:sha)?');

  const add = (count: number) =>
    queue.addBulk(Array.from({ length: count }, (_, i) => ({ name: GenerationJobName.Generate, data: { i } as unknown as GenerationJob['data'], opts: { jobId: `job-${i}` } })));

  it('starts the first jobs of a burst while later ones are still waiting', async () => {
    // How many jobs were still waiting when each of the first ten started.
    const waitingAtStart: number[] = [];
    start(async () => {
      const nth = waitingAtStart.push(-1) - 1;
      if (nth < 10) waitingAtStart[nth] = await queue.getWaitingCount();
      await new Promise((resolve) => setTimeout(resolve, 500));
      return 'done';
    });
    await add(300); // one MULTI: all 300 wait at once
    await until(async () => completed === 300, 20_000, '300 completed');
    // BullMQ's own loop moves every waiting job to active before it starts the second one: all but the first would see 0.
    expect(waitingAtStart.slice(1, 10).some((waiting) => waiting > 0)).toBe(true);
  });

  it('fetches a job that comes alone with one move to active, and nothing more until the next', async () => {
    const startedAfterAdd: number[] = [];
    let addedAt = 0;
    const w = start(async () => {
      startedAfterAdd.push(performance.now() - addedAt);
      await new Promise((resolve) => setTimeout(resolve, 100)); // a turn outlasts the loop's look at the queue
      return 'done';
    });
    // (`completed` counts the worker's events, not the queue's counts: they would be script calls too)
    await w.waitUntilReady();
    await new Promise((resolve) => setTimeout(resolve, 300)); // its first stalled-job check, then a blocking fetch
    const before = await scriptCalls();
    const popsBefore = await commandCalls('rpoplpush');
    for (let i = 0; i < 3; i++) {
      addedAt = performance.now();
      await queue.add(GenerationJobName.Generate, { i } as unknown as GenerationJob['data'], { jobId: `lone-${i}` });
      await until(async () => completed === i + 1, 5_000, `lone job ${i} completed`);
      await new Promise((resolve) => setTimeout(resolve, 200)); // room for any fetch after it
    }
    // Each: its add, its move to active, its move to finished. BullMQ's loop (and this one before it
    // counted the waiting jobs) also sent moves to active that found the queue empty: 5 each.
    expect((await scriptCalls()) - before).toBe(9);
    // One pop from the wait list each, its move to active's: its move to finished does not look
    // for a next job in a queue found empty (the blocking fetch waits for it).
    expect((await commandCalls('rpoplpush')) - popsBefore).toBe(3);
    // The blocked fetch still wakes for each.
    expect(Math.max(...startedAfterAdd)).toBeLessThan(1_000);
  });

  it('leaves the jobs it has no room for to another worker of the queue', async () => {
    const startedBy: string[] = [];
    start(async () => {
      startedBy.push('first');
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      return 'done';
    }, { concurrency: 2 });
    const second = generationWorker(configOf({ concurrency: 2 }), {
      [GenerationJobName.Generate]: (async () => {
        startedBy.push('second');
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        return 'done';
      }) as never,
    }, 'worker-test-second');
    try {
      await new Promise((resolve) => setTimeout(resolve, 300)); // both blocked, waiting for jobs
      const startedAt = performance.now();
      await add(4);
      await until(async () => startedBy.length === 4, 2_000, 'all four started');
      expect(performance.now() - startedAt).toBeLessThan(2_000);
      expect(startedBy.filter((w) => w === 'first')).toHaveLength(2);
    } finally {
      await closeGenerationHandle(second);
    }
  });

  it('runs at most its concurrency at once, and every job once', async () => {
    let running = 0;
    let most = 0;
    const ran: number[] = [];
    start(
      async (job) => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 50));
        running -= 1;
        ran.push(job.data.i);
        return 'done';
      },
      { concurrency: 3 },
    );
    await add(20);
    await until(async () => completed === 20, 10_000, '20 completed');
    expect(most).toBe(3);
    expect(ran.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // A completed job is removed with its data: Redis holds none of the 20.
    expect(await queue.getJobCounts('completed', 'waiting', 'active', 'failed')).toEqual({ completed: 0, waiting: 0, active: 0, failed: 0 });
    expect(await queue.getJob('job-0')).toBeUndefined();
  });

  it('keeps the lock of a job that outlasts the lock duration: it runs once, not stalled', async () => {
    let attempts = 0;
    let stalled = 0;
    const w = start(
      async () => {
        attempts += 1;
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        return 'done';
      },
      { lockMs: 600 },
    );
    w.on('stalled', () => (stalled += 1));
    await add(1);
    await until(async () => completed === 1, 10_000, '1 completed');
    expect({ attempts, stalled }).toEqual({ attempts: 1, stalled: 0 });
  });

  it('aborts a running job through its signal when cancelled', async () => {
    let aborted = false;
    let running = false;
    const w = start(async (_job, signal) => {
      running = true;
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      aborted = true;
      return 'cancelled';
    });
    await add(1);
    await until(async () => (await queue.getActiveCount()) === 1, 5_000, '1 active');
    // Redis counts the job active before this process has handed it to the processor: wait for that.
    await until(async () => running, 5_000, 'processor running');
    expect(w.cancelJob('job-0', 'cancelled')).toBe(true);
    await until(async () => completed === 1, 5_000, '1 completed');
    expect(aborted).toBe(true);
  });

  it('retries a failed attempt', async () => {
    const attempts: number[] = [];
    start(
      async (job) => {
        attempts.push(job.attemptsStarted);
        if (job.attemptsStarted === 1) throw new Error('first attempt fails');
        return 'done';
      },
      { attempts: 2 },
    );
    await add(1);
    await until(async () => completed === 1, 5_000, '1 completed');
    expect(attempts).toEqual([1, 2]);
  });

  it('closes only once the jobs in hand have finished', async () => {
    let finished = false;
    const w = start(async () => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      finished = true;
      return 'done';
    });
    await add(1);
    await until(async () => (await queue.getActiveCount()) === 1, 5_000, '1 active');
    await closeGenerationHandle(w);
    worker = undefined;
    expect(finished).toBe(true);
    expect(completed).toBe(1);
  });
});
