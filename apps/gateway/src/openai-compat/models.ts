import type { AppConfig } from '@app/platform';

/** The id the built-in knowledge-base provider answers as. */
const BUILTIN_MODEL_ID = 'builtin';

export interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/**
 * The model a request may name (docs/api.md §13): the one the generators run, `LLM_MODEL` with
 * `GENERATOR_PROVIDER=openai`, else `builtin`. The gateway reads the same variables as the
 * generators, so they must be given the same values.
 */
export function configuredModels(config: AppConfig, created: number): ModelObject[] {
  const id = config.GENERATOR_PROVIDER === 'openai' ? config.LLM_MODEL : BUILTIN_MODEL_ID;
  return [{ id, object: 'model', created, owned_by: 'streaming-chat-backend' }];
}
