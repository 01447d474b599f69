import { createHash } from 'node:crypto';
import type { AppConfig } from '@app/platform';

/**
 * Everything that decides a reply, apart from the knowledge-base version (which the entry carries,
 * see `ReplyCache.lookup`). Two turns with equal parts get the same reply from the same provider.
 */
export interface ReplyKeyParts {
  /** `providerFingerprint()` of the configuration that generates the reply. */
  provider: string;
  /** The caller, in scope `user`; '' in scope `global`. */
  user: string;
  /** The message after the input guardrails, normalised (`normaliseMessage`). */
  message: string;
  language: string;
  /** The request's `context` passages. */
  passages: readonly string[];
  /** The context turns the provider sees (the OpenAI-compatible API's earlier messages). */
  conversation: ReadonlyArray<{ role: string; content: string }>;
  /** The OpenAI-compatible API's system instructions, temperature and `max_tokens` ('' / -1 when absent). */
  instructions: string;
  temperature: number;
  maxChunks: number;
  /** `PII_POLICY` and `INJECTION_POLICY`: a policy change changes what is stored, streamed and shown. */
  piiPolicy: string;
  injectionPolicy: string;
}

/** Bumped when the entry's shape or the key's recipe changes: old entries are then never read. */
const KEY_RECIPE = 1;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The provider and model that answer, as the generators are configured. The gateway reads the
 * same variables (it already does for `GET /v1/models`); a generator stores an entry only when
 * the fingerprint the gateway put in the job is its own, so a gateway configured unlike its
 * generators gets misses, never another model's replies.
 */
export function providerFingerprint(config: Pick<AppConfig, 'GENERATOR_PROVIDER' | 'LLM_BASE_URL' | 'LLM_MODEL'>): string {
  return config.GENERATOR_PROVIDER === 'openai' ? `openai ${config.LLM_BASE_URL} ${config.LLM_MODEL}` : 'builtin';
}

/**
 * Unicode NFC, trimmed, runs of spaces and tabs within a line made one space, line ends kept.
 * Case is kept: a model may answer "What is X" and "WHAT IS X" differently, and a miss is cheaper
 * than a wrong hit.
 */
export function normaliseMessage(message: string): string {
  return message
    .normalize('NFC')
    .trim()
    .split(/\r?\n/)
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n');
}

/** The cache key's hash: sha256 over the parts, the passages and context turns hashed first. */
export function replyKeyHash(parts: ReplyKeyParts): string {
  return sha256(
    JSON.stringify([
      KEY_RECIPE,
      parts.provider,
      parts.user,
      normaliseMessage(parts.message),
      parts.language,
      sha256(JSON.stringify(parts.passages)),
      sha256(JSON.stringify(parts.conversation.map((turn) => [turn.role, turn.content]))),
      parts.instructions,
      parts.temperature,
      parts.maxChunks,
      parts.piiPolicy,
      parts.injectionPolicy,
    ]),
  );
}
