import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import type { ChatRequest, CompletionOptions, TurnMetadata } from '@app/contracts';
import { applyPiiPolicy, decideInjection, type PiiPolicy } from '@app/guardrails';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import { RecentResults } from './recent-results.js';

export interface GuardedInput {
  message: string;
  context: string[];
  metadata: TurnMetadata;
}

/**
 * The input side of the guardrails, before anything is stored or enqueued: prompt-injection
 * heuristics (flag, or block with a 400) and the input PII policy (flag, or redact what is stored
 * and what the provider sees).
 */
@Injectable()
export class InputGuard {
  private readonly pii: PiiPolicy;
  /** Verdicts by input: the same message and passages always get the same one (a refusal is not kept). */
  private readonly verdicts = new RecentResults<GuardedInput>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.pii = config.PII_POLICY;
  }

  /** The guarded input (shared with other requests of the same input: frozen), or a 400 for a blocked injection. */
  check(request: ChatRequest): GuardedInput {
    const context = request.context ?? [];
    return this.verdicts.get(JSON.stringify([request.message, context]), () => this.guard(request.message, context));
  }

  private guard(message: string, context: string[]): GuardedInput {
    const injection =
      this.config.INJECTION_POLICY === 'off'
        ? { flagged: false, score: 0, reasons: [], blocked: false }
        : decideInjection([message, ...context], this.config.INJECTION_POLICY === 'block');
    if (injection.blocked) throw blocked(injection.reasons);
    const guarded = applyPiiPolicy(message, 'input', this.pii.input);
    const passages = context.map((passage) => applyPiiPolicy(passage, 'input', this.pii.input).text);
    return { message: guarded.text, context: passages, metadata: { guardrails: { pii: [guarded.decision], injection } } };
  }

  /**
   * The OpenAI-compatible API's earlier messages and system instructions (docs/api.md §13): a
   * blocking injection policy covers the earlier user messages too, and the input PII policy
   * applies to all of them, so the provider never sees what the policy removes.
   */
  checkCompletion(options: CompletionOptions): CompletionOptions {
    const conversation = options.conversation ?? [];
    if (this.config.INJECTION_POLICY === 'block') {
      const verdict = decideInjection(conversation.filter((turn) => turn.role === 'user').map((turn) => turn.content), true);
      if (verdict.blocked) throw blocked(verdict.reasons);
    }
    const redact = (text: string) => applyPiiPolicy(text, 'input', this.pii.input).text;
    return {
      ...options,
      ...(options.instructions !== undefined ? { instructions: redact(options.instructions) } : {}),
      conversation: conversation.map((turn) => ({ role: turn.role, content: redact(turn.content) })),
    };
  }
}

function blocked(reasons: string[]): BadRequestException {
  return new BadRequestException({
    code: 'prompt_injection_blocked',
    message: `The message was refused because it looks like a prompt-injection attempt (${reasons.join(', ')})`,
  });
}
