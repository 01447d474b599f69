// A deliberately cheap SSE reader for the load generator: it works on raw Buffers, splits events
// on the blank line (`\n\n`, ASCII, so safe inside UTF-8), and pulls out only what the bench
// needs (event name, `seq`, done status/chunks). No string decoding of whole bodies, no JSON.parse
// per chunk: the client must cost less than the servers it measures.

const SEP = Buffer.from('\n\n');
const EVENT = Buffer.from('event: ');
const SEQ = Buffer.from('"seq":');
const CHUNKS = Buffer.from('"chunks":');
const COMPLETED = Buffer.from('"status":"completed"');

/** Reads the unsigned integer that starts at `at` (ASCII digits). */
function intAt(buf, at) {
  let value = 0;
  let i = at;
  while (i < buf.length) {
    const c = buf[i];
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    i += 1;
  }
  return i === at ? -1 : value;
}

/** The name after `event: ` at the start of a line, or undefined for an unnamed event. */
function eventName(block) {
  const at = block.indexOf(EVENT);
  if (at < 0 || (at > 0 && block[at - 1] !== 10)) return undefined;
  const end = block.indexOf(10, at);
  return block.toString('latin1', at + EVENT.length, end < 0 ? block.length : end);
}

/**
 * Feeds body bytes; calls `onChunk(seq)` per text chunk and `onNamed(name, block)` per named
 * event. Returns the unterminated tail to keep for the next call (usually undefined).
 */
export function scanEvents(buf, onChunk, onNamed) {
  let start = 0;
  for (;;) {
    const end = buf.indexOf(SEP, start);
    if (end < 0) break;
    const block = buf.subarray(start, end);
    start = end + 2;
    const name = eventName(block);
    if (name !== undefined) {
      onNamed(name, block);
      continue;
    }
    const at = block.lastIndexOf(SEQ);
    if (at >= 0) onChunk(intAt(block, at + SEQ.length));
  }
  return start < buf.length ? buf.subarray(start) : undefined;
}

/** What a `done` block says: completed or not, and how many chunks the server says it sent. */
export function readDone(block) {
  const at = block.indexOf(CHUNKS);
  return { completed: block.indexOf(COMPLETED) >= 0, chunks: at < 0 ? -1 : intAt(block, at + CHUNKS.length) };
}
