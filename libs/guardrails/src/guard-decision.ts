import { detectPromptInjection, type InjectionVerdict } from './injection/detect-prompt-injection.js';
import { detectPii } from './pii/detect-pii.js';
import { PII_KINDS, type PiiFinding, type PiiKind } from './pii/pii-types.js';
import { redactPii } from './pii/redact-pii.js';
import type { PiiAction, PiiDirection } from './policy.js';

/** What the PII guard did to one direction of a turn. */
export interface PiiDecision {
  direction: PiiDirection;
  /** `none`: policy off or nothing found; `flagged`: found and left in; `redacted`: found and replaced. */
  action: 'none' | 'flagged' | 'redacted';
  /** Kinds found, each once, in `PII_KINDS` order; never the values themselves. */
  kinds: PiiKind[];
}

export interface InjectionDecision extends InjectionVerdict {
  /** True when the request was refused because it was flagged and blocking is on. */
  blocked: boolean;
}

/** The guardrails' decision for one turn, to be stored in the turn's metadata. */
export interface GuardDecision {
  pii: PiiDecision[];
  injection: InjectionDecision;
}

/** Summarises findings for the turn's metadata. Also for the output of a `PiiStreamRedactor`. */
export function piiDecision(direction: PiiDirection, policyAction: PiiAction, findings: readonly PiiFinding[]): PiiDecision {
  const found = new Set(findings.map((finding) => finding.kind));
  const kinds = PII_KINDS.filter((kind) => found.has(kind));
  if (policyAction === 'off' || kinds.length === 0) return { direction, action: 'none', kinds: policyAction === 'off' ? [] : kinds };
  return { direction, action: policyAction === 'redact' ? 'redacted' : 'flagged', kinds };
}

/**
 * Applies one direction's policy to a whole text: `off` returns it untouched without scanning,
 * `flag` returns it untouched with what was found, `redact` returns it redacted.
 */
export function applyPiiPolicy(text: string, direction: PiiDirection, action: PiiAction): { text: string; decision: PiiDecision } {
  if (action === 'off') return { text, decision: piiDecision(direction, action, []) };
  if (action === 'flag') return { text, decision: piiDecision(direction, action, detectPii(text)) };
  const redacted = redactPii(text);
  return { text: redacted.text, decision: piiDecision(direction, action, redacted.findings) };
}

/** Runs the injection heuristics over every text the client supplied (message and context passages). */
export function decideInjection(texts: readonly string[], block: boolean): InjectionDecision {
  const verdict = detectPromptInjection(texts.join('\n\n'));
  return { ...verdict, blocked: block && verdict.flagged };
}

/**
 * Thrown (or mapped) by the gateway when a flagged input is blocked. Carries the HTTP status the
 * API answers with: 400, like any other input the server refuses to process (docs/api.md §6), with a
 * message that says why and a stable `code` for clients.
 */
export class PromptInjectionBlockedError extends Error {
  readonly statusCode = 400;
  readonly code = 'prompt_injection_blocked';

  constructor(readonly reasons: readonly string[]) {
    super(`The message was refused because it looks like a prompt-injection attempt (${reasons.join(', ')})`);
    this.name = 'PromptInjectionBlockedError';
  }
}
