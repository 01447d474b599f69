import type { AppConfig } from '@app/platform';
import { BuiltinProvider } from './builtin/builtin.provider.js';
import type { ChatProvider } from './chat-provider.js';
import type { KnowledgeSource } from './knowledge/knowledge-source.js';
import { OpenAiProvider } from './openai/openai.provider.js';

/** Picks the provider named by GENERATOR_PROVIDER; one per process. Both answer from `knowledge`. */
export function createProvider(config: AppConfig, knowledge: KnowledgeSource): ChatProvider {
  switch (config.GENERATOR_PROVIDER) {
    case 'builtin':
      return new BuiltinProvider(knowledge);
    case 'openai':
      return new OpenAiProvider({
        baseUrl: config.LLM_BASE_URL,
        model: config.LLM_MODEL,
        apiKey: config.LLM_API_KEY,
        knowledge,
        knowledgeTokens: config.KB_PROMPT_TOKENS,
      });
  }
}
