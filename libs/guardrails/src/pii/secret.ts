import { forEachMatch } from '../for-each-match.js';
import { isSecretValue, looksGenerated } from './secret-value.js';
import type { PiiFinding } from './pii-types.js';

const TOKEN_EDGE_BEFORE = '(?<![A-Za-z0-9_-])';
const TOKEN_EDGE_AFTER = '(?![A-Za-z0-9_-])';

/**
 * Credentials with a documented prefix: OpenAI and Stripe (`sk-`, `sk_live_`), GitHub (`ghp_`
 * and siblings, `github_pat_`), GitLab (`glpat-`), Slack (`xoxb-`…), AWS access key ids, Google
 * API keys. Each still has to look generated, so `sk-learn-is-a-python-library` is not a key.
 */
const PREFIXED = new RegExp(
  TOKEN_EDGE_BEFORE +
    '(?:sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}' +
    '|[sr]k_(?:live|test)_[A-Za-z0-9]{20,}' +
    '|gh[pousr]_[A-Za-z0-9]{36,}' +
    '|github_pat_[A-Za-z0-9_]{22,}' +
    '|glpat-[A-Za-z0-9_-]{20,}' +
    '|xox[abposr]-[A-Za-z0-9-]{10,}' +
    '|(?:AKIA|ASIA)[0-9A-Z]{16}' +
    '|AIza[0-9A-Za-z_-]{35})' +
    TOKEN_EDGE_AFTER,
  'g',
);

/** A JSON Web Token: base64url header and payload that both start with `{"`, then a signature. */
const JWT = new RegExp(`${TOKEN_EDGE_BEFORE}eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*${TOKEN_EDGE_AFTER}`, 'g');

/** `Authorization: Bearer <token>`: the token only. */
const BEARER = /(?<![A-Za-z0-9_])[Bb]earer[ \t]+([A-Za-z0-9._~+/-]{20,}=*)/dg;

/**
 * A value assigned to a credential-sounding name, in code, config, env or JSON form:
 * `api_key=…`, `"client_secret": "…"`, `OPENAI_API_KEY=…`, `password: …`. The name must be the
 * last part of the identifier (`max_tokens=` or `password_hash=` do not count), and only the
 * value is reported so the redacted text still says what was there.
 */
const ASSIGNED = new RegExp(
  // Start only at the start of an identifier: never after a letter, nor after `a.`/`a-`, which
  // would also make a scan over a long dotted run quadratic. `--password=` still starts here.
  '(?<![A-Za-z0-9_]|[A-Za-z0-9_][.-])' +
    '((?:[A-Za-z0-9]+[_.-])*' +
    '(?:api[_-]?key|apikey|api[_-]?secret|secret(?:[_-]?key)?|client[_-]?secret|private[_-]?key' +
    '|(?:access|auth|refresh|session|bearer|api|id)[_-]?token|token|credentials?' +
    '|password|passwd|passphrase|pwd))' +
    '["\']?[ \\t]{0,3}(?::=|=>|[:=])[ \\t]{0,3}["\']?' +
    '([A-Za-z0-9_\\-+/=.~!@#$%^&*?|:\\\\]{6,512})',
  'dgi',
);

/**
 * Words every `ASSIGNED` name contains (`key`, `secret`, `token`, `credential`, `pass…`, `pwd`):
 * with none of them, or no `:` or `=`, in the text, `ASSIGNED` cannot match, and its scan (a
 * lookbehind and an alternation at every position) is skipped.
 */
const ASSIGNED_NAME_WORD = /key|secret|token|credential|pass|pwd/i;

function mayHoldAssignment(text: string): boolean {
  return (text.includes('=') || text.includes(':')) && ASSIGNED_NAME_WORD.test(text);
}

function push(found: PiiFinding[], start: number, end: number): void {
  found.push({ kind: 'secret', start, end });
}

export function findSecrets(text: string): PiiFinding[] {
  const found: PiiFinding[] = [];
  forEachMatch(PREFIXED, text, (match) => {
    const token = match[0];
    if (/^(?:AKIA|ASIA)/.test(token) || looksGenerated(token.replace(/^[a-z]+[-_](?:(?:proj|live|test|pat)[-_])?/, ''))) {
      push(found, match.index, match.index + token.length);
    }
  });
  // Each pattern's scan only where the text holds what it cannot match without.
  if (text.includes('eyJ')) forEachMatch(JWT, text, (match) => push(found, match.index, match.index + match[0].length));
  if (text.includes('earer')) {
    forEachMatch(BEARER, text, (match) => {
      const span = match.indices?.[1];
      if (span && looksGenerated(match[1] ?? '')) push(found, span[0], span[1]);
    });
  }
  if (!mayHoldAssignment(text)) return found;
  forEachMatch(ASSIGNED, text, (match) => {
    const span = match.indices?.[2];
    if (!span) return;
    // A sentence can end right after the value: `token: abc…123.` (`!` and `?` stay: passwords use them).
    const value = (match[2] ?? '').replace(/[.:]+$/, '');
    if (isSecretValue(value, /pass|pwd/i.test(match[1] ?? ''))) push(found, span[0], span[0] + value.length);
  });
  return found;
}
