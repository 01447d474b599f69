/**
 * Characters of events an SSE client that does not read may have queued before its connection is
 * dropped (it can resume with Last-Event-ID). 256 Ki chars is thousands of chunks: a reader that
 * is merely slow never hits it, one that stopped reading cannot grow the gateway's memory.
 */
export const SSE_MAX_PENDING_CHARS = 256 * 1024;
