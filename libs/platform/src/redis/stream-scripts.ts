import type { Redis } from 'ioredis';

/** How often the chunk script checks that a client is still attached to a stream. */
const PRESENCE_CHECK_INTERVAL_MS = 1_000;

/** The chunk script checks presence on a stream's first chunk and then every this many chunks. */
export function presenceCheckEvery(pacingMs: number): number {
  // Unpaced chunks (PACING_MS=0) come as fast as they are made: check each one.
  if (pacingMs <= 0) return 1;
  return Math.max(1, Math.floor(PRESENCE_CHECK_INTERVAL_MS / pacingMs));
}

/**
 * Appends chunks to their streams' replay logs and publishes them: one chunk each of one or more
 * streams, in one round trip (the chunks a generator's pacing clock wakes together). Each chunk is
 * refused once its stream is cancelling or finished (so the log is exactly what clients got),
 * once no client has been attached for the grace period, and when its seq is already there (a
 * retried job skips what a dead worker published).
 * This runs for every chunk, so the common case is three commands (HGET, RPUSH, PUBLISH):
 * - Presence is checked on the first chunk and then about once a second (every
 *   `presenceCheckEvery(PACING_MS)` chunks): an abandoned stream stops at most that much after its
 *   grace period (default 10 s), while a stop (status `cancelling`) is still seen on the next chunk.
 * - RPUSH's answer (the new length) checks the seq: a chunk that is not the log's next entry is
 *   popped again before the script returns, so no client or reader ever sees it.
 * KEYS: per chunk, its stream's log, channel, meta, presence. ARGV: ttl seconds, presence check
 * every (chunks), then per chunk its seq and entry.
 * Returns per chunk 1 appended, 0 already there, -1 cancelling, -2 abandoned, -3 gap, -4 finished.
 * The keys of one chunk share its stream's hash tag; a batch spans streams, so on a Redis Cluster
 * it would have to be split by slot (see the README's note on Redis Cluster).
 */
const APPEND_CHUNKS = `
local presenceEvery = tonumber(ARGV[2])
local function append(log, channel, meta, presence, seq, entry, ttl)
  local status = redis.call('HGET', meta, 'status')
  if status == 'cancelling' then return -1 end
  if status ~= 'running' then return -4 end
  if (seq - 1) % presenceEvery == 0 and redis.call('EXISTS', presence) == 0 then return -2 end
  local len = redis.call('RPUSH', log, entry)
  if len ~= seq then
    redis.call('RPOP', log)
    if len > seq then return 0 end
    return -3
  end
  if seq == 1 then redis.call('EXPIRE', log, ttl) end
  redis.call('PUBLISH', channel, entry)
  return 1
end
local results = {}
for i = 1, #KEYS / 4 do
  local k = (i - 1) * 4
  results[i] = append(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], tonumber(ARGV[i * 2 + 1]), ARGV[i * 2 + 2], ARGV[1])
end
return results
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
 * Opens a stream in one round trip: everything the gateway checks and writes before it subscribes
 * and enqueues, in the order the answers take precedence (404, then 409, then 429).
 * 1. Session owner. A new session is claimed for the user (SET). An existing one must be cached
 *    as the user's; when nothing is cached the caller asks history and calls again with
 *    `ownerIfUncached` (history's owner, or the user for an id nobody owns), which is then cached.
 * 2. The session's running-stream slot must be free (the running stream id is returned otherwise,
 *    for the caller's stale-claim check).
 * 3. The gateway's cap (decided by the caller, passed in) and the user's cap (a sorted set of
 *    running streams by start time; entries older than a stream can live are dropped first, so
 *    a crashed stream frees its slot; 0 = no cap).
 * 4. Claims the slot, writes the meta hash (with the replay TTL) and the presence key.
 * Nothing of 2–4 is written unless all checks pass; step 1's owner write stays either way.
 * KEYS: session owner, session active, user's streams, meta, presence.
 * ARGV: user id, session id, stream id, created at, new session (1/0), owner if uncached ('' = ask
 * first), owner TTL s, stream TTL s, presence TTL ms, gateway full (1/0), user limit, now ms,
 * slot max age ms.
 * Returns {'opened'}, {'owner_unknown'}, {'not_owner'}, {'busy', running stream id},
 * {'gateway_full'} or {'user_full'}.
 */
const OPEN_STREAM = `
if ARGV[5] == '1' then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[7])
else
  local owner = redis.call('GET', KEYS[1])
  if not owner then
    if ARGV[6] == '' then return {'owner_unknown'} end
    owner = ARGV[6]
    redis.call('SET', KEYS[1], owner, 'EX', ARGV[7])
  end
  if owner ~= ARGV[1] then return {'not_owner'} end
end
local running = redis.call('GET', KEYS[2])
if running then return {'busy', running} end
if ARGV[10] == '1' then return {'gateway_full'} end
local limit = tonumber(ARGV[11])
if limit > 0 then
  local now = tonumber(ARGV[12])
  local maxAge = tonumber(ARGV[13])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - maxAge)
  if redis.call('ZCARD', KEYS[3]) >= limit then return {'user_full'} end
  redis.call('ZADD', KEYS[3], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[3], maxAge)
end
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[8])
redis.call('HSET', KEYS[4], 'user_id', ARGV[1], 'session_id', ARGV[2], 'status', 'running', 'created_at', ARGV[4])
redis.call('EXPIRE', KEYS[4], ARGV[8])
redis.call('SET', KEYS[5], '1', 'PX', ARGV[9])
return {'opened'}
`;

/** What OPEN_STREAM answers. */
export type OpenStreamOutcome = ['opened'] | ['owner_unknown'] | ['not_owner'] | ['busy', string] | ['gateway_full'] | ['user_full'];

export interface StreamScripts {
  /** `keys`: log, channel, meta, presence per chunk; `args`: ttl seconds, presence check every, then seq, entry per chunk. */
  appendChunks(numKeys: number, ...keysThenArgs: Array<string | number>): Promise<number[]>;
  finishStream(log: string, channel: string, meta: string, entry: string, status: string, ttlS: number): Promise<number>;
  requestCancel(meta: string): Promise<number | string | null>;
  releaseIfEqual(key: string, value: string): Promise<number>;
  openStream(
    owner: string,
    active: string,
    userStreams: string,
    meta: string,
    presence: string,
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
  ): Promise<OpenStreamOutcome>;
}

/** Registers the scripts on a connection (EVALSHA with automatic fallback to EVAL). */
export function withStreamScripts(redis: Redis): Redis & StreamScripts {
  // The number of keys varies with the batch: it is the first argument of each call.
  redis.defineCommand('appendChunks', { lua: APPEND_CHUNKS });
  redis.defineCommand('finishStream', { numberOfKeys: 3, lua: FINISH_STREAM });
  redis.defineCommand('requestCancel', { numberOfKeys: 1, lua: REQUEST_CANCEL });
  redis.defineCommand('releaseIfEqual', { numberOfKeys: 1, lua: RELEASE_IF_EQUAL });
  redis.defineCommand('openStream', { numberOfKeys: 5, lua: OPEN_STREAM });
  return redis as Redis & StreamScripts;
}
