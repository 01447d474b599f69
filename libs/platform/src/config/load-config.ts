import { validatedConfigSchema, DEFAULT_PORTS, type AppConfig, type ServiceName } from './config.schema.js';

export class ConfigError extends Error {}

/**
 * Reads the environment once. A bad value throws with the variable's name, so a misconfigured
 * service stops at boot instead of failing on the first request.
 */
export function loadConfig(service: ServiceName, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const source: Record<string, string | undefined> = { ...env, PORT: env.PORT ?? String(DEFAULT_PORTS[service]) };
  for (const key of Object.keys(source)) if (source[key] === '') delete source[key];
  const parsed = validatedConfigSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration for ${service}:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
