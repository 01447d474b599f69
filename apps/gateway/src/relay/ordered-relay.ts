import type { MessageEvent } from '@nestjs/common';
import type { DoneEventData } from '@app/contracts';
import { decodeEntry, EntryKind, isTerminal, type StreamEntry, type StreamStore } from '@app/stream-store';
import type { Subscriber } from 'rxjs';
import { streamMetrics } from '../metrics/stream-metrics.js';
import type { TapOptions } from './tap-options.js';

/** Re-read the log: a marker queued when the subscriber reconnected (pub/sub lost messages). */
export const RESYNC = '\u0000resync';
/** Redis down for this long: open streams end with a retryable error rather than hang. */
const REDIS_OUTAGE_GRACE_MS = 3_000;

/** Orders one client's events: strictly increasing seq, terminal last. */
export class OrderedRelay {
  private last: number;
  private queue: string[] = [];
  private busy = true;
  private ended = false;
  /** performance.now() of the first chunk written to this client. */
  private firstChunkAt?: number;
  /** performance.now() of the last chunk written to this client. */
  private lastChunkAt?: number;
  private outage?: NodeJS.Timeout;

  constructor(
    private readonly streamId: string,
    private readonly store: StreamStore,
    private readonly out: Subscriber<MessageEvent>,
    private readonly options: TapOptions,
  ) {
    this.last = options.afterSeq;
  }

  async start(early: string[]): Promise<void> {
    try {
      // A new stream's first chunk need not wait for a read of a log that can hold nothing unseen.
      const backlog = this.options.newStream ? [] : await this.readBacklog();
      this.queue = [...backlog, ...early, ...this.queue];
    } catch (err) {
      return this.fail(err);
    }
    this.busy = false;
    await this.drain();
  }

  /**
   * The log after the client's last seq. A Last-Event-ID past the log's end (a client that counts
   * wrong) would find nothing there, not even the terminal entry, and wait forever on a finished
   * stream: it gets the log's last entry, which ends the stream if it is the terminal one.
   */
  private async readBacklog(): Promise<string[]> {
    const backlog = await this.store.readLog(this.streamId, this.last);
    return backlog.length > 0 || this.last === 0 ? backlog : this.store.readLog(this.streamId, -1);
  }

  redisDown(): void {
    this.outage ??= setTimeout(() => this.fail(new Error('Redis is unavailable'), 'redis_unavailable'), REDIS_OUTAGE_GRACE_MS);
  }

  dispose(): void {
    clearTimeout(this.outage);
  }

  push(raw: string): void {
    if (this.ended) return;
    // The common cases, the next chunk or a running ELP snapshot with nothing queued before it, go
    // out synchronously: no queue, no promise per entry. (A snapshot through the queue also sent
    // the chunk published with it that way, since that chunk found the relay busy.)
    if (!this.busy && this.queue.length === 0 && raw !== RESYNC) {
      const entry = decodeEntry(raw);
      if (entry.kind === EntryKind.Chunk && entry.seq === this.last + 1) return this.emitChunk(entry);
      if (entry.kind === EntryKind.Elp) return this.emitElp(entry);
    }
    this.queue.push(raw);
    if (!this.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      while (this.queue.length > 0 && !this.ended) {
        const raw = this.queue.shift()!;
        if (raw === RESYNC) await this.resync();
        else await this.handle(decodeEntry(raw));
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.busy = false;
    }
  }

  private async handle(entry: StreamEntry): Promise<void> {
    if (entry.kind === EntryKind.Chunk) {
      if (entry.seq <= this.last) return;
      if (entry.seq > this.last + 1) await this.fillFromLog(entry.seq - 1);
      if (entry.seq === this.last + 1) this.emitChunk(entry);
      return;
    }
    if (isTerminal(entry.kind)) {
      if (entry.seq > this.last) await this.fillFromLog(entry.seq);
      this.emitTerminal(entry);
      return;
    }
    // A cancelled stream's stop entry (the log's, never published) tells a client nothing.
    if (entry.kind === EntryKind.Elp) this.emitElp(entry);
  }

  /** A running snapshot, unless it describes less than the client already has. */
  private emitElp(entry: StreamEntry): void {
    if (entry.seq >= this.last) this.out.next({ type: 'elp', id: String(this.last), data: entry.data });
  }

  /** Back from a Redis outage: catch up from the log, unless the stream did not survive it. */
  private async resync(): Promise<void> {
    clearTimeout(this.outage);
    this.outage = undefined;
    if (!(await this.store.exists(this.streamId))) {
      return this.fail(new Error('the stream was lost with Redis; send the message again'), 'stream_lost');
    }
    await this.fillFromLog(Number.MAX_SAFE_INTEGER);
  }

  /** Emits what the log holds after `last`, up to seq `upTo`, terminal included. */
  private async fillFromLog(upTo: number): Promise<void> {
    const stop = upTo === Number.MAX_SAFE_INTEGER ? -1 : upTo;
    const entries = await this.store.readLog(this.streamId, this.last, stop);
    for (const raw of entries) {
      const entry = decodeEntry(raw);
      if (entry.kind === EntryKind.Chunk && entry.seq === this.last + 1) this.emitChunk(entry);
      else if (isTerminal(entry.kind)) return this.emitTerminal(entry);
    }
  }

  private emitChunk(entry: StreamEntry): void {
    this.last = entry.seq;
    this.out.next({ id: String(entry.seq), data: entry.data });
    const now = performance.now();
    if (this.lastChunkAt !== undefined) streamMetrics.chunkGap.observe((now - this.lastChunkAt) / 1000);
    this.lastChunkAt = now;
    if (this.firstChunkAt === undefined) {
      this.firstChunkAt = now;
      if (this.options.receivedAtMonoMs !== undefined) streamMetrics.ttft.observe((now - this.options.receivedAtMonoMs) / 1000);
    }
  }

  private emitTerminal(entry: StreamEntry): void {
    if (this.ended) return;
    this.ended = true;
    const type = entry.kind === EntryKind.Done ? 'done' : 'error';
    this.out.next({ type, id: String(this.last), data: this.measured(entry) });
    this.out.complete();
  }

  /** docs/api.md §1: ttft is measured at the gateway, from receiving the request to writing the first chunk. */
  private measured(entry: StreamEntry): string {
    if (entry.kind !== EntryKind.Done || this.options.receivedAtMonoMs === undefined || this.firstChunkAt === undefined) {
      return entry.data;
    }
    const done = JSON.parse(entry.data) as DoneEventData;
    // Both ends on the monotonic clock, rounded once: exact to the nearest millisecond.
    done.stats.ttft_ms = Math.round(this.firstChunkAt - this.options.receivedAtMonoMs);
    return JSON.stringify(done);
  }

  private fail(err: unknown, code = 'stream_interrupted'): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.outage);
    const message = err instanceof Error ? err.message : String(err);
    this.out.next({
      type: 'error',
      id: String(this.last),
      data: JSON.stringify({ code, message: `Stream interrupted: ${message}`, retryable: true }),
    });
    this.out.complete();
  }
}
