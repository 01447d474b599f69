import type { ChunkEventData, ElpSnapshotData } from '@app/contracts';
import { commandConnection, isClusterTarget, redisAnswers, type AppConfig, type RedisClient } from '@app/platform';
import { ChunkAppends, type AppendListener, type ChunkAppend } from './chunk-appends.js';
import { presenceCheckEvery } from './scripts/append-chunks.js';
import type { OpenStreamOutcome } from './scripts/open-stream.js';
import { withStreamScripts, type PublishCommand, type StreamScripts } from './scripts/register-scripts.js';
import { chunkEntry, decodeEntry, encodeEntry, EntryKind } from './stream-entry.js';
import { StreamKeys } from './stream-keys.js';

export interface StreamStoreSettings {
  /** `REDIS_PREFIX`: the first part of every key. */
  prefix: string;
  /** `STREAM_REPLAY_TTL_S`: how long a stream's log and meta outlive it. */
  replayTtlS: number;
  /** `DISCONNECT_GRACE_MS`: how long a presence mark lasts without a refresh. */
  presenceTtlMs: number;
  /** `PACING_MS`: sets how often the chunk script checks presence. */
  pacingMs: number;
  /**
   * A Redis Cluster: every script call touches the keys of one slot (admission is split by slot,
   * a batch of chunks by stream), and stream channels use sharded pub/sub.
   */
  bySlot: boolean;
}

/** A stream's meta hash. */
export interface StreamMeta {
  user_id: string;
  session_id: string;
  status: string;
  created_at: string;
}

/** The ids that tie a stream to its session and its user's slots. */
export interface StreamIds {
  streamId: string;
  sessionId: string;
  userId: string;
}

/** What `admit` checks and writes (see scripts/open-stream.ts for the order of precedence). */
export interface Admission extends StreamIds {
  /** ISO time of the request, stored in the stream's meta. */
  createdAt: string;
  /** The session id was made up for this request: it is claimed for the user. */
  newSession: boolean;
  /** The owner to cache when none is (history's answer after an `owner_unknown`); '' asks first. */
  ownerIfUncached: string;
  /** This gateway is at its cap of open streams. */
  gatewayFull: boolean;
  /** The user's cap of running streams (0 = none). */
  userLimit: number;
  /** A user slot older than this is dropped (a crashed stream's). */
  slotMaxAgeMs: number;
  /** Count this request against the user's rate (the first call of a request only; none while off). */
  countRequest: boolean;
  /** Requests per window per user. */
  requestLimit: number;
  requestWindowMs: number;
}

export type AdmitOutcome = OpenStreamOutcome;

/** What the chunk script answered for one chunk. */
export enum AppendResult {
  Appended = 1,
  AlreadyThere = 0,
  Cancelling = -1,
  Abandoned = -2,
  Gap = -3,
  Finished = -4,
}

/** Chunks sent to Redis in one script call at most (4 keys and 2 arguments each). */
export const MAX_APPEND_BATCH = 256;

/** How long a session's owner stays cached (it never changes; the cache saves history a call per turn). */
const OWNER_CACHE_S = 7 * 86_400;

/**
 * Every Redis operation on a stream, by name: admission and release, presence, cancel, chunk
 * appends, finish, and the reads of meta and replay log (docs/architecture.md "Redis"). Keys,
 * entry codec and scripts live beside it; nothing else builds a stream key or calls a script.
 * One command connection that fails fast (an outage is a 503, not a hang), to one Redis or to a
 * Redis Cluster (`REDIS_CLUSTER_NODES`).
 */
export class StreamStore {
  /** Its readiness check's name. */
  readonly name = 'redis';
  readonly keys: StreamKeys;
  private readonly presenceEvery: number;
  /**
   * The appends issued in the same tick (the streams one pacing-clock slot wakes) leave as one
   * script call: one command for Redis to parse and dispatch, and one for ioredis to build.
   */
  private readonly appends = new ChunkAppends<AppendResult>((batch) => this.appendBatch(batch), MAX_APPEND_BATCH);
  private readonly redis: RedisClient & StreamScripts;
  private readonly publish: PublishCommand;

  constructor(
    redis: RedisClient,
    private readonly settings: StreamStoreSettings,
  ) {
    this.redis = withStreamScripts(redis);
    this.keys = new StreamKeys(settings.prefix);
    this.presenceEvery = presenceCheckEvery(settings.pacingMs);
    this.publish = settings.bySlot ? 'SPUBLISH' : 'PUBLISH';
  }

  static connect(config: AppConfig, connectionName: string): StreamStore {
    const redis = commandConnection(config, connectionName);
    redis.on('error', () => undefined); // each command reports its own failure
    return new StreamStore(redis, {
      prefix: config.REDIS_PREFIX,
      replayTtlS: config.STREAM_REPLAY_TTL_S,
      presenceTtlMs: config.DISCONNECT_GRACE_MS,
      pacingMs: config.PACING_MS,
      bySlot: isClusterTarget(config),
    });
  }

  /** The connection, for what needs one by itself (a readiness wait, a test). */
  get connection(): RedisClient {
    return this.redis;
  }

  // Admission (gateway) -------------------------------------------------------------------------

  /** Claims everything a stream start needs in one round trip, or says why not. */
  async admit(a: Admission): Promise<AdmitOutcome> {
    if (this.settings.bySlot) return this.admitBySlot(a);
    const k = this.keys;
    return this.redis.openStream(
      k.sessionOwner(a.sessionId),
      k.sessionActive(a.sessionId),
      k.userStreams(a.userId),
      k.meta(a.streamId),
      k.presence(a.streamId),
      k.userRequests(a.userId),
      a.userId,
      a.sessionId,
      a.streamId,
      a.createdAt,
      a.newSession ? 1 : 0,
      a.ownerIfUncached,
      OWNER_CACHE_S,
      this.settings.replayTtlS,
      this.settings.presenceTtlMs,
      a.gatewayFull ? 1 : 0,
      a.userLimit,
      Date.now(),
      a.slotMaxAgeMs,
      a.countRequest ? 1 : 0,
      a.requestLimit,
      a.requestWindowMs,
    );
  }

  /**
   * The admission on a cluster: the session's and the user's claims and the stream's meta, each on
   * its own slot, sent together (one round trip); a part that was claimed while another refused is
   * undone, and the answer is the one of highest precedence (as open-stream.ts orders them).
   */
  private async admitBySlot(a: Admission): Promise<AdmitOutcome> {
    const k = this.keys;
    const [session, user] = await Promise.all([
      this.redis.claimSession(
        k.sessionOwner(a.sessionId),
        k.sessionActive(a.sessionId),
        a.userId,
        a.streamId,
        a.newSession ? 1 : 0,
        a.ownerIfUncached,
        OWNER_CACHE_S,
        this.settings.replayTtlS,
        a.gatewayFull ? 1 : 0,
      ),
      this.redis.claimUserSlot(
        k.userStreams(a.userId),
        k.userRequests(a.userId),
        a.streamId,
        a.userLimit,
        Date.now(),
        a.slotMaxAgeMs,
        a.countRequest ? 1 : 0,
        a.requestLimit,
        a.requestWindowMs,
      ),
    ]);
    const outcome = user[0] === 'rate_limited' ? user : session[0] !== 'opened' ? session : user;
    if (outcome[0] !== 'opened') {
      const undo: Array<Promise<unknown>> = [];
      if (session[0] === 'opened') undo.push(this.redis.releaseIfEqual(k.sessionActive(a.sessionId), a.streamId));
      if (user[0] === 'opened') undo.push(this.redis.zrem(k.userStreams(a.userId), a.streamId));
      await Promise.all(undo);
      return outcome;
    }
    await Promise.all([
      this.redis.hset(k.meta(a.streamId), 'user_id', a.userId, 'session_id', a.sessionId, 'status', 'running', 'created_at', a.createdAt),
      this.redis.expire(k.meta(a.streamId), this.settings.replayTtlS),
      this.redis.set(k.presence(a.streamId), '1', 'PX', this.settings.presenceTtlMs),
    ]);
    return outcome;
  }

  /** Frees a session's slot held by `streamId`, if it still is (a claim whose stream ended without releasing it). */
  async releaseStaleClaim(sessionId: string, streamId: string): Promise<void> {
    await this.redis.releaseIfEqual(this.keys.sessionActive(sessionId), streamId);
  }

  /** Undoes an admission whose stream never started (its job could not be enqueued): slots and meta. */
  async abandon(ids: StreamIds): Promise<void> {
    // Issued in one tick: the command connection sends them in one write.
    await Promise.all([this.release(ids), this.redis.del(this.keys.meta(ids.streamId), this.keys.presence(ids.streamId))]);
  }

  /** Frees the session's running slot and the user's stream slot of a stream that has ended. */
  async release({ sessionId, userId, streamId }: StreamIds): Promise<void> {
    await Promise.all([this.redis.releaseIfEqual(this.keys.sessionActive(sessionId), streamId), this.redis.zrem(this.keys.userStreams(userId), streamId)]);
  }

  activeStream(sessionId: string): Promise<string | null> {
    return this.redis.get(this.keys.sessionActive(sessionId));
  }

  /** Drops the cached owner of a deleted session. */
  async forgetOwner(sessionId: string): Promise<void> {
    await this.redis.del(this.keys.sessionOwner(sessionId));
  }

  // Presence and cancel (gateway) ---------------------------------------------------------------

  /** Marks streams as having a client now (one write for all of them). */
  async markPresent(streamIds: Iterable<string>): Promise<void> {
    if (this.settings.bySlot) {
      // A cluster pipeline must stay on one node: separate commands, which auto-pipelining groups per node.
      await Promise.all([...streamIds].map((streamId) => this.redis.set(this.keys.presence(streamId), '1', 'PX', this.settings.presenceTtlMs)));
      return;
    }
    const pipeline = this.redis.pipeline();
    for (const streamId of streamIds) pipeline.set(this.keys.presence(streamId), '1', 'PX', this.settings.presenceTtlMs);
    await pipeline.exec();
  }

  /**
   * Marks a running stream `cancelling` and tells the generators (the one holding it stops at
   * once; the stop entry the script logs refuses its next chunk anyway). Returns the status it
   * found: `running` when this call cancelled it, another when it had ended or was cancelling,
   * null when unknown.
   */
  async cancel(streamId: string): Promise<string | null> {
    const result = await this.redis.requestCancel(this.keys.meta(streamId), this.keys.log(streamId));
    if (result === null) return null;
    const found = result === 1 ? 'running' : String(result);
    // Told again while cancelling: a generator that missed the first message hears this one.
    if (found === 'running' || found === 'cancelling') await this.redis.publish(this.keys.controlChannel(), streamId);
    return found;
  }

  // Reads (gateway and generator) ---------------------------------------------------------------

  async meta(streamId: string): Promise<StreamMeta | null> {
    const meta = await this.redis.hgetall(this.keys.meta(streamId));
    return meta.status ? (meta as unknown as StreamMeta) : null;
  }

  /** Whether the stream is still known (its meta did not expire or vanish with a Redis restart). */
  async exists(streamId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.meta(streamId))) === 1;
  }

  /** Raw log entries from index `from` to `to` (inclusive; -1 = the end). Entry k-1 is chunk k. */
  readLog(streamId: string, from: number, to = -1): Promise<string[]> {
    return this.redis.lrange(this.keys.log(streamId), from, to);
  }

  /** Status and chunks in the log, one round trip (what a generator attempt starts from). */
  async progress(streamId: string): Promise<{ status: string | null; published: number }> {
    const log = this.keys.log(streamId);
    const [status, length] = await Promise.all([this.redis.hget(this.keys.meta(streamId), 'status'), this.redis.llen(log)]);
    // A cancelled stream's log may end with its stop entry, which is not a chunk. Looked for only
    // then: an attempt on a running stream is the common case.
    const last = status === 'cancelling' && length > 0 ? await this.redis.lindex(log, -1) : null;
    const stopped = last !== null && decodeEntry(last).kind === EntryKind.Stop;
    return { status, published: stopped ? length - 1 : length };
  }

  /** The text clients were sent, read back from the log (only when it is not known otherwise). */
  async sentText(streamId: string): Promise<{ text: string; chunks: number }> {
    let text = '';
    let chunks = 0;
    for (const raw of await this.readLog(streamId, 0)) {
      const entry = decodeEntry(raw);
      if (entry.kind !== EntryKind.Chunk) continue;
      text += (JSON.parse(entry.data) as ChunkEventData).text;
      chunks += 1;
    }
    return { text, chunks };
  }

  // Writes (generator) --------------------------------------------------------------------------

  /** Appends chunk `seq` to the log and publishes it, unless the stream says otherwise. */
  append(streamId: string, seq: number, text: string): Promise<AppendResult> {
    return this.appends.load({ streamId, seq, entry: chunkEntry(seq, text) });
  }

  /**
   * `append` for a loop driven by callbacks: `listener` hears the answer, and no promise is made.
   * `elpBefore`: a running ELP snapshot of the chunks before this one, published on the channel
   * just ahead of it in the same socket write (see `publishElp`; what became of it is not heard).
   */
  appendThen(streamId: string, seq: number, text: string, listener: AppendListener<AppendResult>, elpBefore?: ElpSnapshotData): void {
    this.appends.add({ streamId, seq, entry: chunkEntry(seq, text), publishedBefore: elpBefore && elpEntry(elpBefore) }, listener);
  }

  private async appendBatch(batch: readonly ChunkAppend[]): Promise<AppendResult[]> {
    // In the tick of the chunks' call, so they leave in its write and Redis runs them first.
    for (const { streamId, publishedBefore } of batch) if (publishedBefore) this.publishEntry(streamId, publishedBefore).catch(() => undefined);
    if (!this.settings.bySlot) return this.appendChunks(batch);
    // On a cluster a call may only touch one slot: one call per stream (the calls still leave
    // together, one write per node; streams outnumber nothing in 16,384 slots, so per slot would
    // rarely merge two).
    const k = this.keys;
    const { replayTtlS } = this.settings;
    const results = await Promise.all(
      batch.map(({ streamId, entry }) => this.redis.appendChunk(k.log(streamId), replayTtlS, this.presenceEvery, this.publish, entry)),
    );
    return results.map(([result]) => result);
  }

  private async appendChunks(batch: readonly ChunkAppend[]): Promise<AppendResult[]> {
    const k = this.keys;
    const keys: string[] = [];
    const args: Array<string | number> = [this.settings.replayTtlS, this.presenceEvery, this.publish];
    for (const { streamId, entry } of batch) {
      keys.push(k.log(streamId));
      args.push(entry); // the script reads the seq from the entry
    }
    return (await this.redis.appendChunks(keys.length, ...keys, ...args)) as AppendResult[];
  }

  /**
   * A running ELP snapshot for clients attached now. Published only, not logged: it is optional,
   * a resumed client gets the final ELP in `done`, and the log stays one entry per chunk.
   */
  async publishElp(streamId: string, snapshot: ElpSnapshotData): Promise<void> {
    await this.publishEntry(streamId, elpEntry(snapshot));
  }

  private async publishEntry(streamId: string, entry: string): Promise<void> {
    if (this.settings.bySlot) await this.redis.spublish(this.keys.channel(streamId), entry);
    else await this.redis.publish(this.keys.channel(streamId), entry);
  }

  /**
   * Ends the stream once with its terminal entry, and frees its session's and user's slots (either
   * way: an ended stream holds none). On one Redis both are one script call, so the slots are free
   * by the time a client reads `done`; on a cluster the slots live elsewhere and are freed just
   * after. False when the stream had ended already.
   */
  async finish(ids: StreamIds, kind: EntryKind.Done | EntryKind.Error, seq: number, data: object, status: string): Promise<boolean> {
    const k = this.keys;
    const { streamId } = ids;
    const entry = encodeEntry(kind, seq, JSON.stringify(data));
    if (!this.settings.bySlot) {
      const ended = await this.redis.finishAndRelease(
        k.log(streamId),
        k.channel(streamId),
        k.meta(streamId),
        k.sessionActive(ids.sessionId),
        k.userStreams(ids.userId),
        entry,
        status,
        this.settings.replayTtlS,
        this.publish,
        streamId,
      );
      return ended === 1;
    }
    const ended = (await this.redis.finishStream(k.log(streamId), k.channel(streamId), k.meta(streamId), entry, status, this.settings.replayTtlS, this.publish)) === 1;
    await this.release(ids);
    return ended;
  }

  // Lifecycle -----------------------------------------------------------------------------------

  /** Readiness: Redis answers. */
  async check(): Promise<boolean> {
    return redisAnswers(this.redis);
  }

  /** Nest calls it at shutdown when the store is a provider. */
  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

const elpEntry = (snapshot: ElpSnapshotData): string => encodeEntry(EntryKind.Elp, snapshot.seq, JSON.stringify(snapshot));
