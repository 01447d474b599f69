import type { MessageEvent } from '@nestjs/common';
import { KEEP_ALIVE_MS, SSE_RETRY_MS } from '@app/contracts';
import type { StreamStore, StreamSubscriptions } from '@app/stream-store';
import { Observable } from 'rxjs';
import { streamMetrics } from '../metrics/stream-metrics.js';
import { OrderedRelay, RESYNC } from './ordered-relay.js';
import type { TapOptions } from './tap-options.js';

/**
 * A live subscription to one stream's channel, opened (and confirmed by Redis) before the job is
 * enqueued or the log is read, so no chunk can fall between the two. `events()` turns it into the
 * client's SSE events: the log after `afterSeq`, then live chunks, in seq order, each once; a gap
 * (messages lost while Redis reconnected) is filled from the log.
 */
export class StreamTap {
  private buffer: string[] = [];
  private sink?: (raw: string) => void;
  private readonly listener = (raw: string) => (this.sink ? this.sink(raw) : this.buffer.push(raw));
  private stopConnectionWatch?: () => void;
  private relay?: OrderedRelay;

  constructor(
    private readonly streamId: string,
    private readonly store: StreamStore,
    private readonly subscriptions: StreamSubscriptions,
  ) {}

  async open(): Promise<void> {
    await this.subscriptions.subscribe(this.streamId, this.listener);
    this.stopConnectionWatch = this.subscriptions.watchConnection(
      () => this.relay?.redisDown(),
      () => this.listener(RESYNC),
    );
  }

  /**
   * An entry this process writes itself (a cached reply's first chunk, as its append leaves),
   * handed over without waiting for Redis; the copy that comes back over pub/sub is a duplicate
   * the relay drops by its seq.
   */
  deliver(raw: string): void {
    this.listener(raw);
  }

  close(): void {
    this.subscriptions.unsubscribe(this.streamId, this.listener);
    this.stopConnectionWatch?.();
    this.relay?.dispose();
    this.sink = undefined;
    this.buffer = [];
  }

  events(options: TapOptions): Observable<MessageEvent> {
    return new Observable<MessageEvent>((out) => {
      const relay = new OrderedRelay(this.streamId, this.store, out, options);
      this.relay = relay;
      streamMetrics.active.inc();
      const keepAlive = setInterval(() => out.next({ comment: 'keep-alive' }), KEEP_ALIVE_MS);
      out.next({ type: 'meta', id: String(options.afterSeq), retry: SSE_RETRY_MS, data: JSON.stringify(options.meta) });
      const early = this.buffer;
      this.buffer = [];
      this.sink = (raw) => relay.push(raw);
      void relay.start(early);
      return () => {
        streamMetrics.active.dec();
        clearInterval(keepAlive);
        this.close();
        options.onClose?.();
      };
    });
  }
}
