/**
 * The admission script (open-stream.ts) split by slot, for a Redis Cluster, where one script may
 * only touch the keys of one slot. The store runs the two claims and the meta write at once (one
 * round trip) and undoes what was claimed when another part refused: the answers and their
 * precedence are those of open-stream.ts.
 */

/**
 * The session's part (its hash tag): owner check or claim, the running-stream slot, the gateway's
 * cap. KEYS: session owner, session active. ARGV: user id, stream id, new session (1/0), owner if
 * uncached ('' = ask first), owner TTL s, stream TTL s, gateway full (1/0).
 * Returns {'opened'}, {'owner_unknown'}, {'not_owner'}, {'busy', running stream id} or
 * {'gateway_full'}; only 'opened' claims the slot.
 */
export const CLAIM_SESSION = `
if ARGV[3] == '1' then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[5])
else
  local owner = redis.call('GET', KEYS[1])
  if not owner then
    if ARGV[4] == '' then return {'owner_unknown'} end
    owner = ARGV[4]
    redis.call('SET', KEYS[1], owner, 'EX', ARGV[5])
  end
  if owner ~= ARGV[1] then return {'not_owner'} end
end
local running = redis.call('GET', KEYS[2])
if running then return {'busy', running} end
if ARGV[7] == '1' then return {'gateway_full'} end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[6])
return {'opened'}
`;

/**
 * The user's part (its hash tag): the request rate, then the cap of running streams.
 * KEYS: user's streams, user's request counter. ARGV: stream id, user limit, now ms, slot max age
 * ms, count the request (1/0), requests per window, window ms.
 * Returns {'opened'} (a user slot claimed when there is a cap), {'rate_limited', ms left} or
 * {'user_full'}.
 */
export const CLAIM_USER_SLOT = `
if ARGV[5] == '1' then
  local window = tonumber(ARGV[7])
  local count = redis.call('INCR', KEYS[2])
  if count == 1 then redis.call('PEXPIRE', KEYS[2], window) end
  if count > tonumber(ARGV[6]) then
    local left = redis.call('PTTL', KEYS[2])
    if left < 0 then
      redis.call('PEXPIRE', KEYS[2], window)
      left = window
    end
    return {'rate_limited', tostring(left)}
  end
end
local limit = tonumber(ARGV[2])
if limit > 0 then
  local now = tonumber(ARGV[3])
  local maxAge = tonumber(ARGV[4])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - maxAge)
  if redis.call('ZCARD', KEYS[1]) >= limit then return {'user_full'} end
  redis.call('ZADD', KEYS[1], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], maxAge)
end
return {'opened'}
`;
