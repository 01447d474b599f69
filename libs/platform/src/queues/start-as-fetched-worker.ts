import { isNotConnectionError, Worker, type Job } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';

/** The most fetches sent together while jobs are waiting. */
const FETCHES_AT_ONCE = 16;

/** The member of BullMQ's marker set that says "jobs may wait" (a delayed job's has its due time). */
const BASE_MARKER = '0';

/**
 * A BullMQ worker that starts each job as soon as it has fetched it.
 *
 * BullMQ's own loop (`Worker.run`) moves the waiting jobs to active one round trip at a time and
 * starts none of them until no more are waiting or its concurrency is reached: after a burst of
 * 200 stream starts, the first job ran only once the last had been fetched, 100–190 ms later
 * (docs/benchmarks.md, item 29). This loop hands each job to `processJob` as soon as its fetch
 * answers, and while jobs are waiting it sends several fetches (`getNextJob` without blocking, a
 * move-to-active script each) at once, twice as many each round while all of them find a job:
 * a burst's jobs reach active in a few round trips instead of one each. Once a fetch finds the
 * queue empty, it waits for the next job with one blocking fetch, as BullMQ's loop does.
 *
 * Whether more jobs wait is asked of Redis, not found out by a fetch that finds none: BullMQ marks
 * the queue "maybe not empty" again each time it moves a job to active, so after a job that came
 * alone its loop spent a move-to-active script (and a wake-up) finding nothing. Here, after a round
 * that found jobs, one pipeline of plain commands takes that mark and counts the waiting jobs
 * (`waitingJobs`); when none wait, the next fetch blocks until a producer marks the queue again.
 * A job that comes alone costs one move to active.
 *
 * Everything else stays BullMQ's: the lock manager tracks, renews and cancels each job's lock,
 * the stalled-job timer runs as in `run`, `processJob` completes or fails (and retries) the job and
 * emits `completed` / `failed`, a completing job fetches the next in the same call when there is
 * room for it and jobs were waiting, and `close()` waits for the loop (`mainLoopRunning`), which
 * ends once its jobs have.
 */
export class StartAsFetchedWorker<DataType, ResultType, NameType extends string> extends Worker<DataType, ResultType, NameType> {
  // No instance fields: BullMQ's constructor calls `run()` (autorun) before a subclass's fields exist.

  override async run(): Promise<void> {
    if (this.running) throw new Error('Worker is already running.');
    try {
      this.running = true;
      if (this.closing || this.paused) return;
      await this.startStalledCheckTimer();
      if (!this.opts.skipLockRenewal) this.lockManager.start();
      this.mainLoopRunning = this.startEachAsFetched();
      await this.mainLoopRunning;
    } finally {
      this.running = false;
    }
  }

  private async startEachAsFetched(): Promise<void> {
    const active = new Set<Promise<void>>();
    // How many fetches go out together: 0 while the queue looks empty (one blocking fetch), then
    // 1, 2, 4 … up to FETCHES_AT_ONCE while every fetch finds a job, never more than wait: a burst
    // is fetched in a few round trips, and a lone job costs its one fetch.
    let atOnce = 0;
    // A completing job fetches the next in the same script call only while jobs were found waiting.
    // With the queue empty that fetch finds nothing, yet costs Redis five more commands per turn
    // (the queue's meta, its delayed set twice, an empty pop from the wait list and from the
    // prioritized set), while the blocking fetch is waiting for the next job anyway.
    const wantsMore = () => atOnce > 0 && !this.closing && !this.paused && active.size <= this.concurrency;
    const start = (job: Job<DataType, ResultType, NameType>): void => {
      const running: Promise<void> = this.processJob(job, job.token!, wantsMore).then(
        (next) => {
          active.delete(running);
          if (next) start(next);
        },
        (err: Error) => {
          active.delete(running);
          this.emit('error', err);
        },
      );
      active.add(running);
    };
    let tokens = 0;
    while (!this.closing && !this.paused) {
      const room = this.concurrency - active.size;
      if (room <= 0) {
        await Promise.race(active);
        continue;
      }
      if (atOnce === 0) {
        const job = await this.fetchNext(`${this.id}:${tokens++}`, true);
        if (job) start(job);
        atOnce = job ? 1 : 0;
        continue;
      }
      const waiting = await this.waitingJobs();
      if (waiting === 0) {
        atOnce = 0;
        continue;
      }
      const fetches = Array.from({ length: Math.min(room, atOnce, waiting) }, () =>
        this.fetchNext(`${this.id}:${tokens++}`, false).then((job) => {
          if (job) start(job);
          return job !== undefined;
        }),
      );
      const found = await Promise.all(fetches);
      // No move of this round set the mark again (closing, or an error): put it back, or the
      // queue's other workers would sleep while jobs wait.
      if (!found.some(Boolean)) await this.markMaybeWaiting();
      atOnce = found.every(Boolean) ? Math.min(atOnce * 2, FETCHES_AT_ONCE) : 0;
    }
    // Closing or paused: the jobs in hand finish (close() waits for this promise).
    while (active.size > 0) await Promise.allSettled([...active]);
  }

  /**
   * How many jobs wait (in the wait list and the prioritized set), with three plain commands in
   * one socket write. It first takes the queue's "maybe not empty" mark (BullMQ's base marker,
   * which each move to active sets again), then counts: so when none wait, the next blocking fetch
   * really blocks, and a job added after the count marks the queue again and wakes it. When some
   * wait, the round that follows moves at least one to active, which sets the mark again for the
   * queue's other workers (as does another worker's move, if it took them first). An unanswered
   * count reads as one waiting job: the fetch that follows finds out, as BullMQ's loop would.
   */
  private async waitingJobs(): Promise<number> {
    const { marker, wait, prioritized } = this.keys;
    try {
      const client = await this.redis();
      const [, waitingCount, prioritizedCount] = await inOneWrite(client, () =>
        Promise.all([client.zrem(marker, BASE_MARKER), client.llen(wait), client.zcard(prioritized)]),
      );
      const waiting = waitingCount + prioritizedCount;
      if (waiting === 0) this.blockOnNextFetch();
      return waiting;
    } catch {
      return 1;
    }
  }

  /** Sets BullMQ's base marker, as adding a job does: the queue's blocked workers wake and look. */
  private async markMaybeWaiting(): Promise<void> {
    try {
      await (await this.redis()).zadd(this.keys.marker, 0, BASE_MARKER);
    } catch {
      // Redis is gone: the workers' blocking fetches fail and fetch again once it is back.
    }
  }

  /** BullMQ's Redis backend hands out its ioredis connection (a Cluster on a cluster). */
  private async redis(): Promise<Redis | Cluster> {
    return (await this.getBackend().client) as unknown as Redis | Cluster;
  }

  /**
   * BullMQ's `getNextJob` blocks only once a fetch has found the queue drained; the count above
   * found it so without one.
   */
  private blockOnNextFetch(): void {
    (this as unknown as { drained: boolean }).drained = true;
  }

  /** The next job (with `block`, waiting for one while the queue is empty); undefined when none came. */
  private async fetchNext(token: string, block: boolean): Promise<Job<DataType, ResultType, NameType> | undefined> {
    try {
      return await this.getNextJob(token, { block });
    } catch (err) {
      if (this.closing || this.paused) return undefined;
      // As in BullMQ's loop: other errors are reported and the fetch tried again at once; a lost
      // connection is tried again after `runRetryDelay`.
      if (isNotConnectionError(err as Error)) this.emit('error', err as Error);
      else await this.delay(this.opts.runRetryDelay);
      return undefined;
    }
  }
}

/**
 * Runs `send`, whose commands leave in one socket write: an ioredis pipeline would do it too, but
 * building one copies the connection's commands and scripts (BullMQ's connection has dozens), which
 * cost the generator more than the round trip it saves. A Redis Cluster client routes and writes
 * the commands itself.
 */
function inOneWrite<T>(client: Redis | Cluster, send: () => T): T {
  const socket = (client as Partial<Redis>).stream; // a Cluster has none
  socket?.cork();
  try {
    return send();
  } finally {
    socket?.uncork();
  }
}
