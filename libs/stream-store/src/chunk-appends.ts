/** One chunk for a stream's log and channel. */
export interface ChunkAppend {
  streamId: string;
  seq: number;
  entry: string;
  /** An entry published on the stream's channel just before the chunk, not logged (a running ELP snapshot). */
  publishedBefore?: string;
}

/**
 * Hears how one chunk append went. An object with two methods rather than two callbacks, so that
 * a stream's chunk loop can pass itself and allocate nothing per chunk for the answer.
 * `R` is the chunk script's answer for the chunk.
 */
export interface AppendListener<R> {
  appended(result: R): void;
  appendFailed(err: Error): void;
}

const resolved = Promise.resolve();

/**
 * Collects the chunk appends issued in one tick (the streams a pacing-clock slot wakes, whether
 * their loops continue in the clock's callback or in the promise jobs after it) and sends them as
 * one script call: one command for Redis to parse and dispatch, and one for ioredis to build.
 *
 * This did DataLoader's job with DataLoader until a cached reply's chunk loop became callback
 * driven: DataLoader only hands out a promise per key, and with its batch bookkeeping that was
 * about half a kilobyte allocated per chunk; here a listener takes the answer instead.
 */
export class ChunkAppends<R> {
  private appends: ChunkAppend[] = [];
  private listeners: Array<AppendListener<R>> = [];

  constructor(
    private readonly send: (batch: readonly ChunkAppend[]) => Promise<R[]>,
    private readonly maxBatch: number,
  ) {}

  add(append: ChunkAppend, listener: AppendListener<R>): void {
    // After the promise jobs queued now have run (a loop resumed by `await` appends from one):
    // DataLoader's schedule, so a slot's streams share a call however their loops are written.
    if (this.appends.length === 0) void resolved.then(() => process.nextTick(this.flush));
    this.appends.push(append);
    this.listeners.push(listener);
    if (this.appends.length >= this.maxBatch) this.flush();
  }

  /** The promise form of `add`. */
  load(append: ChunkAppend): Promise<R> {
    return new Promise((resolve, reject) => this.add(append, { appended: resolve, appendFailed: reject }));
  }

  private readonly flush = (): void => {
    if (this.appends.length === 0) return;
    const { appends, listeners } = this;
    this.appends = [];
    this.listeners = [];
    this.send(appends).then(
      (results) => {
        for (let i = 0; i < listeners.length; i++) tell(listeners[i], results[i]);
      },
      (err: Error) => {
        for (const listener of listeners) listener.appendFailed(err);
      },
    );
  };
}

/** One listener's answer; a listener that throws on it hears of its own failure, and the others still get theirs. */
function tell<R>(listener: AppendListener<R>, result: R): void {
  try {
    listener.appended(result);
  } catch (err) {
    listener.appendFailed(err as Error);
  }
}
