import { STREAM_KEY_SUFFIX } from '../stream-keys.js';

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
 * This runs for every chunk, so the common case is two commands (RPUSH, PUBLISH):
 * - RPUSH's answer (the new length) checks the seq: a chunk that is not the log's next entry is
 *   popped again before the script returns, so no client or reader ever sees it. Only then is the
 *   status read, to say why.
 * - That check also sees a stop on the very next chunk: a cancel logs a stop entry after the
 *   chunks (request-cancel.ts) and finishing logs the terminal one, so the next chunk's RPUSH
 *   answers one more than its seq. Reading the status for every chunk instead was a fifth of the
 *   script's time. No chunk can land in the slot after such an entry: a writer sends a stream's
 *   chunks in order, each after the answer to the one before, and that one was refused.
 * - The status and presence are read on the first chunk and then about once a second (every
 *   `presenceCheckEvery(PACING_MS)` chunks): an abandoned stream stops at most that much after its
 *   grace period (default 10 s), and a stream whose meta is gone (expired, or lost with a Redis
 *   restart) gets no log started or continued.
 * KEYS: per chunk, its stream's log. The stream's channel, meta and presence keys are the log's
 * name with another last part (`STREAM_KEY_SUFFIX`): sending one key per chunk instead of four
 * takes three quarters of the key bytes out of every chunk's call, which the generator builds,
 * encodes and writes for every chunk it sends. They share the log's hash tag, so on a cluster they
 * live in the declared key's slot, on the node the call is routed to.
 * ARGV: ttl seconds, presence check every (chunks), publish command (PUBLISH on one Redis;
 * SPUBLISH on a cluster, where a call holds the chunks of one slot only), then per chunk its
 * entry, whose seq the script reads from its `c:<seq>:` prefix: one argument per chunk fewer for
 * the generator to encode (ioredis builds several strings per argument: 427 → 280 ns a chunk for a
 * call of 80), at no cost Redis could measure.
 * Returns per chunk 1 appended, 0 already there, -1 cancelling, -2 abandoned, -3 gap, -4 finished.
 * The keys of one chunk share its stream's hash tag; a batch spans streams, so on a Redis Cluster
 * the store sends one call per slot of the batch (still one round trip: the calls leave together).
 */
export const APPEND_CHUNKS = `
local presenceEvery = tonumber(ARGV[2])
local publish = ARGV[3]
local function refusal(base)
  local status = redis.call('HGET', base .. '${STREAM_KEY_SUFFIX.meta}', 'status')
  if status == 'cancelling' then return -1 end
  if status ~= 'running' then return -4 end
  return nil
end
local function append(log, seq, entry, ttl)
  local base = string.sub(log, 1, -${STREAM_KEY_SUFFIX.log.length + 1})
  if (seq - 1) % presenceEvery == 0 then
    local refused = refusal(base)
    if refused then return refused end
    if redis.call('EXISTS', base .. '${STREAM_KEY_SUFFIX.presence}') == 0 then return -2 end
  end
  local len = redis.call('RPUSH', log, entry)
  if len ~= seq then
    redis.call('RPOP', log)
    local refused = refusal(base)
    if refused then return refused end
    if len > seq then return 0 end
    return -3
  end
  if seq == 1 then redis.call('EXPIRE', log, ttl) end
  redis.call(publish, base .. '${STREAM_KEY_SUFFIX.channel}', entry)
  return 1
end
local results = {}
for i = 1, #KEYS do
  local entry = ARGV[i + 3]
  results[i] = append(KEYS[i], tonumber(string.match(entry, '^c:(%d+):')), entry, ARGV[1])
end
return results
`;
