/**
 * Adds a gateway to the ones a stream's chunks are delivered to (the meta's `deliver_to`, see
 * append-chunks.ts), when a client attaches to a running stream through a gateway that did not
 * open it (a resume after a refresh, another tab). A stream whose meta has no `deliver_to`
 * publishes each chunk on its own channel, which the gateway subscribes anyway: it is left so.
 * KEYS: meta. ARGV: the gateway's instance id.
 * Returns 1 when the gateway is (now) listed, 0 when the stream delivers on its own channel or is gone.
 */
export const DELIVER_TO = `
local current = redis.call('HGET', KEYS[1], 'deliver_to')
if not current then return 0 end
if string.find(' ' .. current .. ' ', ' ' .. ARGV[1] .. ' ', 1, true) then return 1 end
redis.call('HSET', KEYS[1], 'deliver_to', current .. ' ' .. ARGV[1])
return 1
`;
