/**
 * `releaseIfEqual(key, value)`: deletes `key` only while it still holds `value` (a session's
 * active stream); 1 when it did. Shared by the release on its own and the end of a stream
 * (finish-stream.ts), so both free a slot alike.
 */
export const RELEASE_IF_EQUAL_LUA = `
local function releaseIfEqual(key, value)
  if redis.call('GET', key) == value then return redis.call('DEL', key) end
  return 0
end
`;

/** Deletes KEYS[1] only while it still holds ARGV[1] (a session's active stream). */
export const RELEASE_IF_EQUAL = `${RELEASE_IF_EQUAL_LUA}
return releaseIfEqual(KEYS[1], ARGV[1])
`;
