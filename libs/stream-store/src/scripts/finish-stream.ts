import { RELEASE_IF_EQUAL_LUA } from './release-if-equal.js';

/**
 * Ends a stream once: appends the terminal entry, sets the final status, gives log and meta the
 * replay TTL, publishes. KEYS: log, channel, meta, and on one Redis also the session's active
 * stream and the user's open streams. ARGV: entry, status, ttl seconds, publish command (PUBLISH on
 * one Redis, SPUBLISH on a cluster: the channel shares the stream's slot), stream id.
 *
 * With the two slot keys it also frees them (whether or not it ended the stream: an ended stream
 * holds no slot), so `done` and the freed slots are one step: a client that has read `done` can
 * start its session's next turn at once, and the end of a turn is one script call instead of two.
 * On a cluster those keys are in other slots, and the stream store frees them in calls of their own.
 * Returns 1, or 0 when the stream had already ended.
 */
export const FINISH_STREAM = `${RELEASE_IF_EQUAL_LUA}
local ended = 0
local status = redis.call('HGET', KEYS[3], 'status')
if status == 'running' or status == 'cancelling' then
  redis.call('RPUSH', KEYS[1], ARGV[1])
  redis.call('HSET', KEYS[3], 'status', ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('EXPIRE', KEYS[3], ARGV[3])
  redis.call(ARGV[4], KEYS[2], ARGV[1])
  ended = 1
end
if #KEYS == 5 then
  releaseIfEqual(KEYS[4], ARGV[5])
  redis.call('ZREM', KEYS[5], ARGV[5])
end
return ended
`;
