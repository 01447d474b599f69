import { OVER_RATE_LUA, OWNER_REFUSAL_LUA, TAKE_USER_SLOT_LUA } from './admission-lua.js';

/**
 * Opens a stream in one round trip: everything the gateway checks and writes before it subscribes
 * and enqueues, in the order the answers take precedence (429 for the rate, 404, 409, 429 for a cap).
 * 0. The user's request rate: a counter per fixed window (`RATE_LIMIT_WINDOW_S`), counted on the
 *    first call of a request only (a call again after `owner_unknown` or a stale claim is the same
 *    request). Over the limit, the answer carries the ms until the window ends (`Retry-After`).
 * 1. Session owner. A new session is claimed for the user (SET). An existing one must be cached
 *    as the user's; when nothing is cached the caller asks history and calls again with
 *    `ownerIfUncached` (history's owner, or the user for an id nobody owns), which is then cached.
 * 2. The session's running-stream slot must be free (the running stream id is returned otherwise,
 *    for the caller's stale-claim check).
 * 3. The gateway's cap (decided by the caller, passed in) and the user's cap (a sorted set of
 *    running streams by start time; entries older than a stream can live are dropped first, so
 *    a crashed stream frees its slot; 0 = no cap).
 * 4. Claims the slot, writes the meta hash (with the replay TTL) and the presence key.
 * Nothing of 2–4 is written unless all checks pass; step 1's owner write stays either way.
 * KEYS: session owner, session active, user's streams, meta, presence, user's request counter.
 * ARGV: user id, session id, stream id, created at, new session (1/0), owner if uncached ('' = ask
 * first), owner TTL s, stream TTL s, presence TTL ms, gateway full (1/0), user limit, now ms,
 * slot max age ms, count the request (1/0), requests per window, window ms.
 * Returns {'opened'}, {'owner_unknown'}, {'not_owner'}, {'busy', running stream id},
 * {'gateway_full'}, {'user_full'} or {'rate_limited', ms left in the window}.
 */
export const OPEN_STREAM = `${OVER_RATE_LUA}${OWNER_REFUSAL_LUA}${TAKE_USER_SLOT_LUA}
if ARGV[14] == '1' then
  local left = overRate(KEYS[6], tonumber(ARGV[15]), tonumber(ARGV[16]))
  if left then return {'rate_limited', tostring(left)} end
end
local refusal = ownerRefusal(KEYS[1], ARGV[1], ARGV[5] == '1', ARGV[6], ARGV[7])
if refusal then return refusal end
local running = redis.call('GET', KEYS[2])
if running then return {'busy', running} end
if ARGV[10] == '1' then return {'gateway_full'} end
if not takeUserSlot(KEYS[3], ARGV[3], tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13])) then return {'user_full'} end
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[8])
redis.call('HSET', KEYS[4], 'user_id', ARGV[1], 'session_id', ARGV[2], 'status', 'running', 'created_at', ARGV[4])
redis.call('EXPIRE', KEYS[4], ARGV[8])
redis.call('SET', KEYS[5], '1', 'PX', ARGV[9])
return {'opened'}
`;

/** What OPEN_STREAM answers. */
export type OpenStreamOutcome = ['opened'] | ['owner_unknown'] | ['not_owner'] | ['busy', string] | ['gateway_full'] | ['user_full'] | ['rate_limited', string];
