import type { Redis } from 'ioredis';

/**
 * Appends chunk `seq` to the replay log and publishes it, in one round trip. It refuses a chunk
 * once the stream is cancelling or finished (so the log is exactly what clients got), once no
 * client has been attached for the grace period, and a seq that is already there (a retried
 * job skips what a dead worker published).
 * KEYS: log, channel, meta, presence. ARGV: seq, entry, ttl seconds.
 * Returns 1 appended, 0 already there, -1 cancelling, -2 abandoned, -3 gap, -4 finished.
 */
const APPEND_CHUNK = `
local status = redis.call('HGET', KEYS[3], 'status')
if status == 'cancelling' then return -1 end
if status ~= 'running' then return -4 end
if redis.call('EXISTS', KEYS[4]) == 0 then return -2 end
local seq = tonumber(ARGV[1])
local len = redis.call('LLEN', KEYS[1])
if len >= seq then return 0 end
if len ~= seq - 1 then return -3 end
redis.call('RPUSH', KEYS[1], ARGV[2])
if seq == 1 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
redis.call('PUBLISH', KEYS[2], ARGV[2])
return 1
`;

/**
 * Ends a stream once: appends the terminal entry, sets the final status, gives log and meta the
 * replay TTL, publishes. KEYS: log, channel, meta. ARGV: entry, status, ttl seconds.
 * Returns 1, or 0 when the stream had already ended.
 */
const FINISH_STREAM = `
local status = redis.call('HGET', KEYS[3], 'status')
if status ~= 'running' and status ~= 'cancelling' then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[3], 'status', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[3])
redis.call('PUBLISH', KEYS[2], ARGV[1])
return 1
`;

/**
 * Marks a running stream as cancelling. KEYS: meta. Returns 1 when it was running, the final
 * status when it had ended, false when unknown.
 */
const REQUEST_CANCEL = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return false end
if status == 'running' then redis.call('HSET', KEYS[1], 'status', 'cancelling') return 1 end
return status
`;

/** Deletes KEYS[1] only while it still holds ARGV[1] (a session's active stream). */
const RELEASE_IF_EQUAL = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Admits a stream under a per-user cap. KEYS: the user's set. ARGV: stream id, now ms, limit,
 * max age ms (entries older than a stream can live are dropped, so a crashed stream frees its slot).
 * Returns 1 admitted, 0 over the limit.
 */
const ADMIT_STREAM = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[2]) - tonumber(ARGV[4]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

export interface StreamScripts {
  admitStream(userStreams: string, streamId: string, nowMs: number, limit: number, maxAgeMs: number): Promise<number>;
  appendChunk(log: string, channel: string, meta: string, presence: string, seq: number, entry: string, ttlS: number): Promise<number>;
  finishStream(log: string, channel: string, meta: string, entry: string, status: string, ttlS: number): Promise<number>;
  requestCancel(meta: string): Promise<number | string | null>;
  releaseIfEqual(key: string, value: string): Promise<number>;
}

/** Registers the scripts on a connection (EVALSHA with automatic fallback to EVAL). */
export function withStreamScripts(redis: Redis): Redis & StreamScripts {
  redis.defineCommand('appendChunk', { numberOfKeys: 4, lua: APPEND_CHUNK });
  redis.defineCommand('finishStream', { numberOfKeys: 3, lua: FINISH_STREAM });
  redis.defineCommand('requestCancel', { numberOfKeys: 1, lua: REQUEST_CANCEL });
  redis.defineCommand('releaseIfEqual', { numberOfKeys: 1, lua: RELEASE_IF_EQUAL });
  redis.defineCommand('admitStream', { numberOfKeys: 1, lua: ADMIT_STREAM });
  return redis as Redis & StreamScripts;
}
