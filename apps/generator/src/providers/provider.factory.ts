import type { AppConfig } from '@app/platform';
import { BuiltinProvider } from './builtin/builtin.provider.js';
import type { ChatProvider } from './chat-provider.js';

/** Picks the provider named by GENERATOR_PROVIDER; loads it once per process. */
export async function createProvider(config: AppConfig): Promise<ChatProvider> {
  switch (config.GENERATOR_PROVIDER) {
    case 'builtin':
      return BuiltinProvider.load(config.KB_DIR);
    case 'openai':
      throw new Error('GENERATOR_PROVIDER=openai is not available in this version; use builtin');
  }
}
