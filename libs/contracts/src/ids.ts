/**
 * The rule of every id a client may name, in a body, a query or a path, with the message a
 * refusal carries. One place, so the gateway's DTOs and pipes and history's routes agree.
 */
export const USER_ID_PATTERN = /^[A-Za-z0-9_.@:-]{1,128}$/;
export const USER_ID_RULE = 'user_id must be 1-128 characters of [A-Za-z0-9_.@:-]';

/**
 * A session id is also a path segment (`/history/:session_id`, and history's `/sessions/:id`):
 * `.` and `..` are not ids there, since any URL parser resolves them away (a gateway asking
 * history for `/sessions/.` would reach `/sessions/`, the list of sessions).
 */
export const SESSION_ID_PATTERN = /^(?!\.\.?$)[A-Za-z0-9_.:-]{1,128}$/;
export const SESSION_ID_RULE = 'session_id must be 1-128 characters of [A-Za-z0-9_.:-], other than . and ..';

/** Stream ids are made by the gateway (randomUUID): a UUIDv4, any case. */
export const STREAM_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
