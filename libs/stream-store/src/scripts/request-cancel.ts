import { EntryKind } from '../stream-entry.js';

/**
 * Marks a running stream as cancelling and logs a stop entry after its chunks (`s:<chunks>:{}`):
 * the log's length is then one more than the chunks sent, so the chunk script's RPUSH refuses the
 * next chunk and only then reads the status (append-chunks.ts). A log not started yet gets the
 * meta's TTL (the first chunk would have given it one).
 * KEYS: meta, log. Returns 1 when it was running, the final status when it had ended, false when unknown.
 */
export const REQUEST_CANCEL = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return false end
if status ~= 'running' then return status end
redis.call('HSET', KEYS[1], 'status', 'cancelling')
local chunks = redis.call('LLEN', KEYS[2])
redis.call('RPUSH', KEYS[2], '${EntryKind.Stop}:' .. chunks .. ':{}')
if chunks == 0 then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
end
return 1
`;
