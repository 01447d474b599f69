/**
 * The admission checks as Lua functions, shared by the single-script admission (open-stream.ts)
 * and its split by slot for a Redis Cluster (claim-by-slot.ts), so both decide alike.
 */

/**
 * `overRate(counter, perWindow, windowMs)`: counts a request in the user's fixed window; returns
 * the ms left in the window when the count is over the limit, nil otherwise.
 */
export const OVER_RATE_LUA = `
local function overRate(counter, perWindow, windowMs)
  local count = redis.call('INCR', counter)
  if count == 1 then redis.call('PEXPIRE', counter, windowMs) end
  if count <= perWindow then return nil end
  local left = redis.call('PTTL', counter)
  if left < 0 then
    redis.call('PEXPIRE', counter, windowMs)
    left = windowMs
  end
  return left
end
`;

/**
 * `ownerRefusal(ownerKey, user, isNew, ownerIfUncached, ttlS)`: a new session is claimed for the
 * user; an existing one must be cached as the user's (when nothing is cached, `ownerIfUncached`
 * is cached, or '' asks the caller to look it up). Returns nil when the user owns the session,
 * else {'owner_unknown'} or {'not_owner'}.
 */
export const OWNER_REFUSAL_LUA = `
local function ownerRefusal(ownerKey, user, isNew, ownerIfUncached, ttlS)
  if isNew then
    redis.call('SET', ownerKey, user, 'EX', ttlS)
    return nil
  end
  local owner = redis.call('GET', ownerKey)
  if not owner then
    if ownerIfUncached == '' then return {'owner_unknown'} end
    owner = ownerIfUncached
    redis.call('SET', ownerKey, owner, 'EX', ttlS)
  end
  if owner ~= user then return {'not_owner'} end
  return nil
end
`;

/**
 * `takeUserSlot(streams, streamId, limit, nowMs, maxAgeMs)`: the user's running streams are a
 * sorted set by start time; entries older than a stream can live are dropped first, so a crashed
 * stream frees its slot. Returns false at the cap, else true with the stream added (limit 0: no cap).
 */
export const TAKE_USER_SLOT_LUA = `
local function takeUserSlot(streams, streamId, limit, nowMs, maxAgeMs)
  if limit <= 0 then return true end
  redis.call('ZREMRANGEBYSCORE', streams, '-inf', nowMs - maxAgeMs)
  if redis.call('ZCARD', streams) >= limit then return false end
  redis.call('ZADD', streams, nowMs, streamId)
  redis.call('PEXPIRE', streams, maxAgeMs)
  return true
end
`;
