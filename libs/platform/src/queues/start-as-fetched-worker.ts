import { isNotConnectionError, Worker, type Job } from 'bullmq';

/** The most fetches sent together while jobs are waiting. */
const FETCHES_AT_ONCE = 16;

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
 * Everything else stays BullMQ's: the lock manager tracks, renews and cancels each job's lock,
 * the stalled-job timer runs as in `run`, `processJob` completes or fails (and retries) the job and
 * emits `completed` / `failed`, a completing job fetches the next in the same call when there is
 * room for it, and `close()` waits for the loop (`mainLoopRunning`), which ends once its jobs have.
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
    const wantsMore = () => !this.closing && !this.paused && active.size <= this.concurrency;
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
    // How many fetches go out together: 0 while the queue looks empty (one blocking fetch), then
    // 1, 2, 4 … up to FETCHES_AT_ONCE while every fetch finds a job. A lone job costs what it does
    // in BullMQ's loop (its fetch and one that finds the queue empty); a burst is fetched in a few
    // round trips.
    let atOnce = 0;
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
      const fetches = Array.from({ length: Math.min(room, atOnce) }, () =>
        this.fetchNext(`${this.id}:${tokens++}`, false).then((job) => {
          if (job) start(job);
          return job !== undefined;
        }),
      );
      atOnce = (await Promise.all(fetches)).every(Boolean) ? Math.min(atOnce * 2, FETCHES_AT_ONCE) : 0;
    }
    // Closing or paused: the jobs in hand finish (close() waits for this promise).
    while (active.size > 0) await Promise.allSettled([...active]);
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
