/** Shannon entropy in bits per character. Random keys score high; words and repeated text low. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  const length = [...value].length;
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

// Documentation and config templates are full of these; redacting them helps nobody.
const PLACEHOLDER = /^(?:<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|%[^%]*%|\$[A-Z_][A-Z0-9_]*|process\.env\..*|(?:null|none|nil|true|false|undefined|string|required|optional|redacted|hidden|secret|password|token)\W*)$/i;
const PLACEHOLDER_WORDS = /your|example|placeholder|changeme|dummy|sample|xxxx|\*\*\*|\.\.\./i;

function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value) || PLACEHOLDER_WORDS.test(value) || /^(.)\1*$/.test(value);
}

/** A token that looks generated: letters and digits mixed, and not a plain word. */
export function looksGenerated(value: string): boolean {
  return /\d/.test(value) && /[A-Za-z]/.test(value) && !isPlaceholder(value);
}

/**
 * Whether the value after `password=`, `api_key:` and the like is worth redacting. Passwords
 * are short and chosen by people, so a digit or symbol is enough; keys and tokens must be long
 * and random-looking, so `token: expired` or `api_key=required` stay.
 */
export function isSecretValue(value: string, isPassword: boolean): boolean {
  if (isPlaceholder(value)) return false;
  if (isPassword) return value.length >= 6 && /[^A-Za-z]/.test(value) && /[A-Za-z0-9]/.test(value);
  if (value.length < 16) return false;
  const entropy = shannonEntropy(value);
  if (/\d/.test(value) && /[A-Za-z]/.test(value)) return entropy >= 3;
  return value.length >= 32 && entropy >= 3.5;
}
