import { Injectable, NotFoundException } from '@nestjs/common';
import type { MessageEvent } from '@nestjs/common';
import type { MetaEventData } from '@app/contracts';
import { redisStep } from '../redis-step.js';
import type { Observable } from 'rxjs';
import { StreamStore, StreamSubscriptions, type StreamMeta } from '@app/stream-store';
import { PresenceService } from './presence.service.js';
import { StreamTap } from './stream-tap.js';

/** Attaches clients to streams: opens taps, keeps presence, reads stream metadata. */
@Injectable()
export class StreamRelay {
  constructor(
    private readonly store: StreamStore,
    private readonly subscriptions: StreamSubscriptions,
    private readonly presence: PresenceService,
  ) {}

  /** Subscribes now (before anything is enqueued or read). */
  async openTap(streamId: string): Promise<StreamTap> {
    const tap = new StreamTap(streamId, this.store, this.subscriptions);
    try {
      await redisStep(tap.open());
    } catch (err) {
      tap.close(); // a subscription confirmed after the timeout must not keep a listener
      throw err;
    }
    return tap;
  }

  /**
   * The client's events; presence is held from now until the client goes away. `presenceSet`: the
   * caller has just written the presence key (a start does, in its opening script). `newStream`:
   * the tap was confirmed before the stream's job was enqueued, so every entry the log will hold
   * also comes live and there is no backlog to read.
   */
  async attach(
    tap: StreamTap,
    streamId: string,
    meta: MetaEventData,
    afterSeq: number,
    options: { receivedAtMonoMs?: number; presenceSet?: boolean; newStream?: boolean } = {},
  ): Promise<Observable<MessageEvent>> {
    const { receivedAtMonoMs, presenceSet = false, newStream = false } = options;
    await redisStep(this.presence.attach(streamId, { alreadySet: presenceSet }));
    return tap.events({ meta, afterSeq, receivedAtMonoMs, newStream, onClose: () => this.presence.detach(streamId) });
  }

  async meta(streamId: string): Promise<StreamMeta | null> {
    return redisStep(this.store.meta(streamId));
  }

  async requireMeta(streamId: string, userId?: string): Promise<StreamMeta> {
    const meta = await this.meta(streamId);
    // Another user's stream answers exactly like an unknown one (no existence leak).
    if (!meta || (userId !== undefined && meta.user_id !== userId)) {
      throw new NotFoundException({ error: 'Stream not found', message: 'Unknown or expired stream', stream_id: streamId });
    }
    return meta;
  }
}
