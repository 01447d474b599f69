import { Inject, Injectable } from '@nestjs/common';
import type { ChatRequest, CompletionOptions } from '@app/contracts';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import { providerFingerprint, replyKeyHash } from '@app/reply-cache';
import type { GuardedInput } from '../admission/input-guard.service.js';
import { RecentResults } from '../admission/recent-results.js';

/** A turn the cache may answer or keep: its entry's hash. */
export interface CacheCandidate {
  hash: string;
  provider: string;
}

/**
 * Which turns the response cache may answer, and under which key (docs/api.md §1 "Response
 * cache"). Decided from the request alone, before any Redis step, so the lookup can leave with
 * the admission.
 */
@Injectable()
export class ReplyCachePolicy {
  private readonly provider: string;
  /** The key's parts that come from this gateway's configuration: the same for every request. */
  private readonly configured: { provider: string; piiPolicy: string; injectionPolicy: string };
  /** Keys by the parts that vary between requests. */
  private readonly hashes = new RecentResults<{ hash: string }>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.provider = providerFingerprint(config);
    this.configured = {
      provider: this.provider,
      piiPolicy: `input:${config.PII_POLICY.input},output:${config.PII_POLICY.output}`,
      injectionPolicy: config.INJECTION_POLICY,
    };
  }

  candidate(request: ChatRequest, input: GuardedInput, completion: CompletionOptions | undefined, userId: string): CacheCandidate | undefined {
    const scope = this.config.CACHE_SCOPE;
    if (scope === 'off' || !plainInput(input)) return undefined;
    const conversation = completion?.conversation ?? [];
    const newSession = request.session_id === undefined;
    // A turn of a stored session is answered with context the gateway has not read (history
    // holds it): never cached. A conversation sent with the request replaces that context.
    if (!newSession && conversation.length === 0) return undefined;
    // Scope global shares replies between users: only turns whose only input is the message.
    const privateInput = !newSession || conversation.length > 0 || input.context.length > 0 || completion?.instructions !== undefined;
    if (scope === 'global' && privateInput) return undefined;
    const varying = {
      user: scope === 'user' ? userId : '',
      message: input.message,
      language: request.language ?? '',
      passages: input.context,
      conversation,
      instructions: completion?.instructions ?? '',
      temperature: completion?.temperature ?? -1,
      maxChunks: completion?.max_chunks ?? -1,
    };
    const { hash } = this.hashes.get(JSON.stringify(varying), () => ({ hash: replyKeyHash({ ...varying, ...this.configured }) }));
    return { hash, provider: this.provider };
  }
}

/** A message the guardrails left alone: nothing redacted, no injection flagged. */
function plainInput(input: GuardedInput): boolean {
  const guardrails = input.metadata.guardrails as { pii?: Array<{ action: string }>; injection?: { flagged: boolean } } | undefined;
  return !guardrails?.pii?.some((decision) => decision.action === 'redacted') && !guardrails?.injection?.flagged;
}
