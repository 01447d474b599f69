export type PiiDirection = 'input' | 'output';
export type PiiAction = 'off' | 'flag' | 'redact';

/**
 * What to do with PII per direction: `input` is the user's message (before it is stored and sent
 * to the provider), `output` the assistant's reply (before it is chunked, streamed and stored).
 */
export interface PiiPolicy {
  input: PiiAction;
  output: PiiAction;
}

const ACTIONS: readonly PiiAction[] = ['off', 'flag', 'redact'];
const DIRECTIONS: readonly PiiDirection[] = ['input', 'output'];
const FORMAT = 'expected "off", "flag", "redact" (both directions) or a list such as "input:redact,output:flag"';

function isAction(value: string): value is PiiAction {
  return (ACTIONS as readonly string[]).includes(value);
}

function isDirection(value: string): value is PiiDirection {
  return (DIRECTIONS as readonly string[]).includes(value);
}

/**
 * Parses a `PII_POLICY` value: one action for both directions (`redact`), or `direction:action`
 * pairs separated by commas (`input:redact,output:flag`), a direction left out being `off`.
 * Case and spaces do not matter. Throws an `Error` that quotes the bad part, for a start-up
 * config check to report with the variable's name.
 */
export function parsePiiPolicy(value: string): PiiPolicy {
  const text = value.trim().toLowerCase();
  if (text === '') throw new Error(`Invalid PII policy "": ${FORMAT}`);
  if (isAction(text)) return { input: text, output: text };
  const policy: PiiPolicy = { input: 'off', output: 'off' };
  const seen = new Set<PiiDirection>();
  for (const part of text.split(',')) {
    const [direction = '', action = '', ...rest] = part.split(':').map((piece) => piece.trim());
    if (rest.length > 0 || !isDirection(direction) || !isAction(action)) {
      throw new Error(`Invalid PII policy "${value}": cannot read "${part.trim()}"; ${FORMAT}`);
    }
    if (seen.has(direction)) throw new Error(`Invalid PII policy "${value}": "${direction}" is given twice`);
    seen.add(direction);
    policy[direction] = action;
  }
  return policy;
}
