/**
 * The body of `POST /api/v1/chat/unified[/stream]` (docs/api.md §1) and its limits: one place for
 * the gateway's validation and the UI's checks. Lengths count Unicode code points after trimming.
 */

export const MESSAGE_MAX_CHARS = 8_000;
export const CONTEXT_MAX_ITEMS = 8;
export const CONTEXT_ITEM_MAX_CHARS = 4_000;
export const LANGUAGE_MAX_CHARS = 32;

export interface ChatRequest {
  message: string;
  /** Required when auth is off; with auth on the caller comes from the credentials (must match if sent). */
  user_id?: string;
  session_id?: string;
  language?: string;
  /** Extra passages for the provider. */
  context?: string[];
}

export interface TextRule {
  /** Minimum characters after trimming (Unicode code points, as a user counts them). */
  min?: number;
  /** Maximum characters after trimming. */
  max: number;
}

/** Characters as a user counts them: Unicode code points of the trimmed text. */
function textLength(value: string): number {
  return [...value.trim()].length;
}

/** Why a string is refused, or null. */
export function textProblem(value: unknown, rule: TextRule): string | null {
  if (typeof value !== 'string') return 'must be a string';
  // A lone surrogate cannot be stored as UTF-8 and come back equal; PostgreSQL cannot store NUL.
  if (!value.isWellFormed()) return 'must be well-formed Unicode';
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  const length = textLength(value);
  if (length < (rule.min ?? 0)) return rule.min === 1 ? 'must not be empty' : `must be at least ${rule.min} characters`;
  if (length > rule.max) return `must be at most ${rule.max} characters`;
  return null;
}
