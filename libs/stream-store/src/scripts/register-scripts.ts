import type { RedisClient } from '@app/platform';
import { APPEND_CHUNKS } from './append-chunks.js';
import { CLAIM_SESSION, CLAIM_USER_SLOT } from './claim-by-slot.js';
import { FINISH_STREAM } from './finish-stream.js';
import { OPEN_STREAM, type OpenStreamOutcome } from './open-stream.js';
import { RELEASE_IF_EQUAL } from './release-if-equal.js';
import { REQUEST_CANCEL } from './request-cancel.js';

/** The stream scripts as commands of a connection (see each script's file for its keys and answers). */
export interface StreamScripts {
  /** `keys`: each chunk's stream log; `args`: ttl seconds, presence check every, publish command, then the entry of each chunk (the script reads its seq from the entry's `c:<seq>:` prefix). */
  appendChunks(numKeys: number, ...keysThenArgs: Array<string | number>): Promise<number[]>;
  /** The same script for one chunk, its key declared (what a cluster sends, see below). */
  appendChunk(log: string, ttlS: number, presenceEvery: number, publish: PublishCommand, entry: string): Promise<number[]>;
  finishStream(log: string, channel: string, meta: string, entry: string, status: string, ttlS: number, publish: PublishCommand): Promise<number>;
  /** The same script, also freeing the session's and the user's slots (one Redis only: the keys are in other slots). */
  finishAndRelease(
    log: string,
    channel: string,
    meta: string,
    sessionActive: string,
    userStreams: string,
    entry: string,
    status: string,
    ttlS: number,
    publish: PublishCommand,
    streamId: string,
  ): Promise<number>;
  requestCancel(meta: string, log: string): Promise<number | string | null>;
  releaseIfEqual(key: string, value: string): Promise<number>;
  openStream(
    owner: string,
    active: string,
    userStreams: string,
    meta: string,
    presence: string,
    requests: string,
    userId: string,
    sessionId: string,
    streamId: string,
    createdAt: string,
    newSession: 0 | 1,
    ownerIfUncached: string,
    ownerTtlS: number,
    streamTtlS: number,
    presenceTtlMs: number,
    gatewayFull: 0 | 1,
    userLimit: number,
    nowMs: number,
    slotMaxAgeMs: number,
    countRequest: 0 | 1,
    requestLimit: number,
    requestWindowMs: number,
  ): Promise<OpenStreamOutcome>;
  claimSession(
    owner: string,
    active: string,
    userId: string,
    streamId: string,
    newSession: 0 | 1,
    ownerIfUncached: string,
    ownerTtlS: number,
    streamTtlS: number,
    gatewayFull: 0 | 1,
  ): Promise<OpenStreamOutcome>;
  claimUserSlot(
    userStreams: string,
    requests: string,
    streamId: string,
    userLimit: number,
    nowMs: number,
    slotMaxAgeMs: number,
    countRequest: 0 | 1,
    requestLimit: number,
    requestWindowMs: number,
  ): Promise<OpenStreamOutcome>;
}

/** Classic pub/sub on one Redis; sharded pub/sub (Redis 7) on a cluster, on the stream's own shard. */
export type PublishCommand = 'PUBLISH' | 'SPUBLISH';

/** Registers the scripts on a connection (EVALSHA with automatic fallback to EVAL). */
export function withStreamScripts<R extends RedisClient>(redis: R): R & StreamScripts {
  // The number of keys varies with the batch: it is the first argument of each call.
  redis.defineCommand('appendChunks', { lua: APPEND_CHUNKS });
  // On a cluster, auto-pipelining groups a script call by the slot of its first argument: with the
  // key count first, every appendChunks call would join the pipeline of the slot of "1", and
  // ioredis refuses that pipeline once it holds streams of two masters. Declared keys route right.
  redis.defineCommand('appendChunk', { numberOfKeys: 1, lua: APPEND_CHUNKS });
  redis.defineCommand('finishStream', { numberOfKeys: 3, lua: FINISH_STREAM });
  redis.defineCommand('finishAndRelease', { numberOfKeys: 5, lua: FINISH_STREAM });
  redis.defineCommand('requestCancel', { numberOfKeys: 2, lua: REQUEST_CANCEL });
  redis.defineCommand('releaseIfEqual', { numberOfKeys: 1, lua: RELEASE_IF_EQUAL });
  redis.defineCommand('openStream', { numberOfKeys: 6, lua: OPEN_STREAM });
  redis.defineCommand('claimSession', { numberOfKeys: 2, lua: CLAIM_SESSION });
  redis.defineCommand('claimUserSlot', { numberOfKeys: 2, lua: CLAIM_USER_SLOT });
  return redis as R & StreamScripts;
}
