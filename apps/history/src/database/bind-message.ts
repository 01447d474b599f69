/**
 * A PostgreSQL Bind message for the unnamed portal, every value in text format and every result
 * column in text format: the same bytes PGlite's `protocol.serialize.bind` writes for such values.
 *
 * PGlite's writer measures each string's UTF-8 length in a JavaScript loop, character by
 * character, before encoding it; a turn batch's parameters are arrays serialised to text of
 * several kilobytes (the replies), and that loop alone was ~6% of history's CPU under ~400 open
 * streams. Here Node measures and encodes natively.
 */
export function bindMessage(statement: string, values: readonly (string | null)[]): Buffer {
  const lengths = values.map((value) => (value === null ? -1 : Buffer.byteLength(value)));
  // 'B', its length, the portal's name (empty) and the statement's, both NUL-ended; the
  // parameters' format codes (a count, then 0 = text for each) and the values (a count, then
  // each value's length, -1 for NULL, and its bytes); no result format codes (all text).
  let size = 1 + 4 + 1 + Buffer.byteLength(statement) + 1 + 2 + 2 * values.length + 2 + 2;
  for (const length of lengths) size += 4 + Math.max(0, length);
  const message = Buffer.allocUnsafe(size);
  let at = 0;
  message[at++] = 0x42;
  at = message.writeInt32BE(size - 1, at);
  message[at++] = 0;
  at += message.write(statement, at);
  message[at++] = 0;
  at = message.writeInt16BE(values.length, at);
  for (let i = 0; i < values.length; i++) at = message.writeInt16BE(0, at);
  at = message.writeInt16BE(values.length, at);
  for (let i = 0; i < values.length; i++) {
    at = message.writeInt32BE(lengths[i], at);
    const value = values[i];
    if (value !== null) at += message.write(value, at);
  }
  message.writeInt16BE(0, at);
  return message;
}
