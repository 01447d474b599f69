/**
 * The last part of a stream's keys, after `<prefix>:{<stream_id>}:`. The chunk script is given a
 * stream's log key only and finds the others by these (see append-chunks.ts).
 */
export const STREAM_KEY_SUFFIX = { log: 'log', channel: 'events', meta: 'meta', presence: 'presence' } as const;

/**
 * Redis key and channel names. Every per-stream key carries the hash tag `{stream_id}` so that a
 * Redis Cluster keeps a stream's keys on one slot (the chunk script touches several at once).
 */
export class StreamKeys {
  constructor(readonly prefix: string) {}

  /**
   * Replay log: a list whose entry k-1 is chunk `seq` k, then a stop entry if the stream was
   * cancelled, then at most one terminal entry.
   */
  log(streamId: string): string {
    return `${this.prefix}:{${streamId}}:${STREAM_KEY_SUFFIX.log}`;
  }

  /** Live channel of one stream: the same entries as the log, published as they are appended. */
  channel(streamId: string): string {
    return `${this.prefix}:{${streamId}}:${STREAM_KEY_SUFFIX.channel}`;
  }

  /** Hash: user_id, session_id, status, created_at. Lives as long as the replay log. */
  meta(streamId: string): string {
    return `${this.prefix}:{${streamId}}:${STREAM_KEY_SUFFIX.meta}`;
  }

  /** Refreshed by every gateway with a client attached; expiry means "abandoned". */
  presence(streamId: string): string {
    return `${this.prefix}:{${streamId}}:${STREAM_KEY_SUFFIX.presence}`;
  }

  /** The running stream of a session (one at a time, docs/api.md §1 409). */
  sessionActive(sessionId: string): string {
    return `${this.prefix}:session:{${sessionId}}:active`;
  }

  /** Owner of a session, cached from history so a request needs no HTTP round trip. */
  sessionOwner(sessionId: string): string {
    return `${this.prefix}:session:{${sessionId}}:owner`;
  }

  /** Sorted set of a user's running streams (score: start time), for the per-user cap. */
  userStreams(userId: string): string {
    return `${this.prefix}:user:{${userId}}:streams`;
  }

  /** A user's request counter of the current rate-limit window. */
  userRequests(userId: string): string {
    return `${this.prefix}:user:{${userId}}:requests`;
  }

  /**
   * Set by history (with a TTL) when it has stored a finished turn whose confirmation reached no
   * one: a retried generator attempt reads it to learn the turn is stored already.
   */
  turnStored(streamId: string): string {
    return `${this.prefix}:{${streamId}}:stored`;
  }

  /**
   * Stream of turn events (started, finished) from the generators to history's consumer group.
   * One hash tag per deployment, like the BullMQ queues: the stream and its dead letters share a
   * slot. Not `…:history:events`: that is the event stream of the former BullMQ `history` queue,
   * which an upgraded deployment may still hold.
   */
  turnEvents(): string {
    return `{${this.prefix}}:turn-events`;
  }

  /** History events that failed to be written too many times, kept for inspection. */
  turnEventDeadLetters(): string {
    return `{${this.prefix}}:turn-events:dead`;
  }

  /** Where history confirms stored turns to one generator process (`TurnFinishedData.confirm_to`). */
  turnsStoredChannel(generatorId: string): string {
    return `${this.prefix}:turns-stored:${generatorId}`;
  }

  /** Control channel every generator listens on (cancel requests). */
  controlChannel(): string {
    return `${this.prefix}:control`;
  }
}
