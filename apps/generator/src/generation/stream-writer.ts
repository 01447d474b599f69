import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { decodeEntry, EntryKind, encodeEntry, StreamKeys, type ChunkEventData, type ElpSnapshotData } from '@app/contracts';
import { APP_CONFIG, commandConnection, presenceCheckEvery, withStreamScripts, type AppConfig, type StreamScripts } from '@app/platform';
import DataLoader from 'dataloader';
import type { Redis } from 'ioredis';

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

interface ChunkAppend {
  streamId: string;
  seq: number;
  entry: string;
}

/** The generator's side of a stream in Redis: replay log + live channel + status. */
@Injectable()
export class StreamWriter implements OnApplicationShutdown {
  readonly keys: StreamKeys;
  private readonly redis: Redis & StreamScripts;
  /**
   * The appends issued in the same tick (the streams one pacing-clock slot wakes) leave as one
   * script call: one command for Redis to parse and dispatch, and one for ioredis to build,
   * instead of one per stream.
   */
  private readonly appends = new DataLoader<ChunkAppend, AppendResult>((batch) => this.appendBatch(batch), {
    cache: false,
    maxBatchSize: MAX_APPEND_BATCH,
  });

  /** The chunk script's presence-check interval in chunks: fixed by the pacing, so computed once. */
  private readonly presenceEvery: number;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.keys = new StreamKeys(config.REDIS_PREFIX);
    this.presenceEvery = presenceCheckEvery(config.PACING_MS);
    // Generator commands may wait through a short Redis blip: the job is retried if they fail.
    this.redis = withStreamScripts(commandConnection(config.REDIS_URL, 'generator:commands'));
    this.redis.on('error', () => undefined);
  }

  get connection(): Redis {
    return this.redis;
  }

  /** Chunks already in the log (what an earlier attempt published). */
  publishedCount(streamId: string): Promise<number> {
    return this.redis.llen(this.keys.log(streamId));
  }

  status(streamId: string): Promise<string | null> {
    return this.redis.hget(this.keys.meta(streamId), 'status');
  }

  appendChunk(streamId: string, seq: number, text: string): Promise<AppendResult> {
    const data: ChunkEventData = { text, seq };
    return this.appends.load({ streamId, seq, entry: encodeEntry(EntryKind.Chunk, seq, JSON.stringify(data)) });
  }

  private async appendBatch(batch: readonly ChunkAppend[]): Promise<AppendResult[]> {
    const k = this.keys;
    const keys: string[] = [];
    const args: Array<string | number> = [this.config.STREAM_REPLAY_TTL_S, this.presenceEvery];
    for (const { streamId, seq, entry } of batch) {
      keys.push(k.log(streamId), k.channel(streamId), k.meta(streamId), k.presence(streamId));
      args.push(seq, entry);
    }
    return (await this.redis.appendChunks(keys.length, ...keys, ...args)) as AppendResult[];
  }

  /**
   * A running ELP snapshot for clients attached now. Published only, not logged: it is optional,
   * a resumed client gets the final ELP in `done`, and the log stays one entry per chunk.
   */
  async publishElp(streamId: string, snapshot: ElpSnapshotData): Promise<void> {
    await this.redis.publish(this.keys.channel(streamId), encodeEntry(EntryKind.Elp, snapshot.seq, JSON.stringify(snapshot)));
  }

  /** The text clients were sent: the log is the single source of truth for it. */
  async sentText(streamId: string): Promise<{ text: string; chunks: number }> {
    const entries = await this.redis.lrange(this.keys.log(streamId), 0, -1);
    let text = '';
    let chunks = 0;
    for (const raw of entries) {
      const entry = decodeEntry(raw);
      if (entry.kind !== EntryKind.Chunk) continue;
      text += (JSON.parse(entry.data) as ChunkEventData).text;
      chunks += 1;
    }
    return { text, chunks };
  }

  async finish(streamId: string, kind: EntryKind.Done | EntryKind.Error, seq: number, data: object, status: string): Promise<boolean> {
    const k = this.keys;
    const entry = encodeEntry(kind, seq, JSON.stringify(data));
    const done = await this.redis.finishStream(k.log(streamId), k.channel(streamId), k.meta(streamId), entry, status, this.config.STREAM_REPLAY_TTL_S);
    return done === 1;
  }

  /** Frees the session's running slot and the user's stream slot once the stream has ended. */
  async release(sessionId: string, userId: string, streamId: string): Promise<void> {
    await Promise.all([
      this.redis.releaseIfEqual(this.keys.sessionActive(sessionId), streamId),
      this.redis.zrem(this.keys.userStreams(userId), streamId),
    ]);
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
