import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const url = z.string().url();

/** Every setting of every service, validated once at boot (DESIGN.md "Configuration"). */
export const configSchema = z.object({
  PORT: int(0, 65535),
  HOST: z.string().default('0.0.0.0'),
  REDIS_URL: url.default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'letters, digits, _ . - (max 32)').default('chat'),
  DATABASE_URL: z.string().optional(),
  HISTORY_DATA_DIR: z.string().default('./data/history'),
  HISTORY_URL: url.default('http://127.0.0.1:7002'),
  PACING_MS: int(0, 10_000).default(30),
  GENERATOR_CONCURRENCY: int(1, 10_000).default(500),
  HISTORY_CONCURRENCY: int(1, 1_000).default(20),
  DISCONNECT_GRACE_MS: int(100, 3_600_000).default(10_000),
  STREAM_REPLAY_TTL_S: int(1, 86_400 * 7).default(600),
  /** How long the generator waits for history to confirm a turn before `persisted: false`. */
  PERSIST_WAIT_MS: int(0, 60_000).default(3_000),
  /** BullMQ lock of an active job; a dead worker's job is taken over after about this long. */
  JOB_LOCK_MS: int(500, 600_000).default(2_000),
  JOB_STALLED_INTERVAL_MS: int(200, 600_000).default(1_000),
  JOB_ATTEMPTS: int(1, 100).default(5),
  /** Earlier turns given to the provider as context. */
  CONTEXT_TURNS: int(0, 200).default(10),
  GENERATOR_PROVIDER: z.enum(['builtin', 'openai']).default('builtin'),
  KB_DIR: z.string().default('./kb'),
  LLM_BASE_URL: z.string().default('http://127.0.0.1:11434/v1'),
  LLM_MODEL: z.string().default('llama3.2'),
  LLM_API_KEY: z.string().optional(),
  /** Static files of the web UI, served by the gateway at `/`. */
  WEB_DIR: z.string().default('./dist/web'),
  /** Bound on what an unread SSE client may pile up before it is dropped (it can resume). */
  SSE_MAX_PENDING_CHARS: int(1_024, 64 * 1024 * 1024).default(256 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type AppConfig = z.infer<typeof configSchema>;
export type ServiceName = 'gateway' | 'generator' | 'history';

/** Ports that make `npm start` work on a laptop without any setting. */
export const DEFAULT_PORTS: Record<ServiceName, number> = { gateway: 7000, generator: 7001, history: 7002 };
