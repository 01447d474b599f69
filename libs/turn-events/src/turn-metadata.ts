import type { TurnMetadata } from '@app/contracts';
import type { PiiDecision } from '@app/guardrails';

/** The turn's guardrail metadata with the output direction's PII decision added (the reply's metadata). */
export function withOutputDecision(metadata: TurnMetadata | undefined, output: PiiDecision): Record<string, unknown> {
  const guardrails = (metadata?.guardrails ?? {}) as { pii?: PiiDecision[] };
  return { ...metadata, guardrails: { ...guardrails, pii: [...(guardrails.pii ?? []), output] } };
}
