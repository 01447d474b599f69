/**
 * Ends a stream once: appends the terminal entry, sets the final status, gives log and meta the
 * replay TTL, publishes. KEYS: log, channel, meta. ARGV: entry, status, ttl seconds, publish
 * command (PUBLISH on one Redis, SPUBLISH on a cluster: the channel shares the stream's slot).
 * Returns 1, or 0 when the stream had already ended.
 */
export const FINISH_STREAM = `
local status = redis.call('HGET', KEYS[3], 'status')
if status ~= 'running' and status ~= 'cancelling' then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[3], 'status', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[3])
redis.call(ARGV[4], KEYS[2], ARGV[1])
return 1
`;
