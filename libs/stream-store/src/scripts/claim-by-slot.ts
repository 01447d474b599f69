import { OVER_RATE_LUA, OWNER_REFUSAL_LUA, TAKE_USER_SLOT_LUA } from './admission-lua.js';

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
export const CLAIM_SESSION = `${OWNER_REFUSAL_LUA}
local refusal = ownerRefusal(KEYS[1], ARGV[1], ARGV[3] == '1', ARGV[4], ARGV[5])
if refusal then return refusal end
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
export const CLAIM_USER_SLOT = `${OVER_RATE_LUA}${TAKE_USER_SLOT_LUA}
if ARGV[5] == '1' then
  local left = overRate(KEYS[2], tonumber(ARGV[6]), tonumber(ARGV[7]))
  if left then return {'rate_limited', tostring(left)} end
end
if not takeUserSlot(KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])) then return {'user_full'} end
return {'opened'}
`;
