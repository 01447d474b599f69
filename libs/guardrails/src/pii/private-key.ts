/**
 * PEM private keys (`-----BEGIN RSA PRIVATE KEY-----` … `-----END RSA PRIVATE KEY-----`, also
 * OPENSSH, EC, ENCRYPTED, PGP … BLOCK) are the one kind of PII that spans lines, so the scanner
 * finds them before it cuts the text into segments. Every bound here is fixed so that a stream
 * can tell, after a bounded look-ahead, how far a block goes.
 */
export const PRIVATE_KEY_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const PRIVATE_KEY_END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;

/** Longest marker the patterns above accept: `-----BEGIN ` + 40 + `PRIVATE KEY BLOCK-----`. */
const PRIVATE_KEY_MARKER_MAX = 11 + 40 + 22;
/** How far after its BEGIN marker an END marker may start. A 4096-bit RSA key is about 3,300 characters. */
export const PRIVATE_KEY_BODY_MAX = 8192;

const BASE64_LINE = /^[A-Za-z0-9+/=]+$/;
const MARKER_HEAD = '-----BEGIN ';

/**
 * Where a BEGIN marker that has only partly arrived could start: the first position among the
 * last characters (a complete marker would already be visible) whose text so far agrees with
 * `-----BEGIN `; `text.length` when there is none. A stream releases nothing from there on, so a
 * marker can never straddle what was released and what was not; ordinary text has no such
 * position, so nothing is held back for it.
 */
export function incompleteMarkerStart(text: string, from: number): number {
  for (let p = Math.max(from, text.length - PRIVATE_KEY_MARKER_MAX + 1); p < text.length; p++) {
    if (text.charCodeAt(p) === 45 && MARKER_HEAD.startsWith(text.slice(p, p + MARKER_HEAD.length))) return p;
  }
  return text.length;
}

/**
 * Without an END marker (a truncated paste), the block is the marker and the base64 lines right
 * after it; the prose that follows stays.
 */
function endOfBase64Body(text: string, markerEnd: number, limit: number): number {
  let end = markerEnd;
  for (;;) {
    let newline = end;
    if (text[newline] === '\r') newline += 1;
    if (text[newline] !== '\n') return end;
    const lineStart = newline + 1;
    const next = text.indexOf('\n', lineStart);
    const lineEnd = next < 0 ? text.length : next;
    // Only lines wholly inside the window count, so the answer cannot change as text arrives.
    if (lineEnd > limit) return end;
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    if (!BASE64_LINE.test(line)) return end;
    end = lineStart + line.length;
  }
}

/**
 * Where the private-key block whose BEGIN marker ends at `markerEnd` ends, or `undefined` while
 * that cannot be known yet (`final` false and not enough text seen).
 */
export function privateKeyBlockEnd(text: string, markerEnd: number, final: boolean): number | undefined {
  const searchLimit = markerEnd + PRIVATE_KEY_BODY_MAX;
  PRIVATE_KEY_END.lastIndex = markerEnd;
  const end = PRIVATE_KEY_END.exec(text);
  if (end && end.index <= searchLimit) return end.index + end[0].length;
  if (!final && text.length < searchLimit + PRIVATE_KEY_MARKER_MAX) return undefined;
  return endOfBase64Body(text, markerEnd, Math.min(text.length, searchLimit));
}
