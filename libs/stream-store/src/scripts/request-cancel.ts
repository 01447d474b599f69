/**
 * Marks a running stream as cancelling. KEYS: meta. Returns 1 when it was running, the final
 * status when it had ended, false when unknown.
 */
export const REQUEST_CANCEL = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return false end
if status == 'running' then redis.call('HSET', KEYS[1], 'status', 'cancelling') return 1 end
return status
`;
