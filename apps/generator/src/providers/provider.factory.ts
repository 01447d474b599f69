import type { AppConfig } from '@app/platform';
import { BuiltinProvider } from './builtin/builtin.provider.js';
import type { ChatProvider } from './chat-provider.js';
import { OpenAiProvider } from './openai/openai.provider.js';

/** Picks the provider named by GENERATOR_PROVIDER; loads it once per process. */
export async function createProvider(config: AppConfig): Promise<ChatProvider> {
  switch (config.GENERATOR_PROVIDER) {
    case 'builtin':
      return BuiltinProvider.load(config.KB_DIR);
    case 'openai':
      return new OpenAiProvider({ baseUrl: config.LLM_BASE_URL, model: config.LLM_MODEL, apiKey: config.LLM_API_KEY });
  }
}
