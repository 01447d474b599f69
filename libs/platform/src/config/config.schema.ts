import { parsePiiPolicy } from '@app/guardrails';
import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const url = z.string().url();
/** An empty variable is an unset one (compose passes `${NAME:-}` through as ''). */
const unsetIfEmpty = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema);

/** One seed node of a Redis Cluster. */
export interface ClusterSeed {
  host: string;
  port: number;
}

/** `host:port,host:port`: a Redis Cluster's seed nodes (ioredis discovers the others from them). */
const clusterSeeds = z
  .string()
  .regex(/^\s*[^\s:,]+:\d{1,5}\s*(,\s*[^\s:,]+:\d{1,5}\s*)*$/, 'comma-separated host:port seeds, e.g. redis-1:6379,redis-2:6379')
  .transform((list): ClusterSeed[] =>
    list.split(',').map((seed) => {
      const [host, port] = seed.trim().split(':');
      return { host, port: Number(port) };
    }),
  );

/** Every setting of every service, validated once at boot (docs/architecture.md "Configuration"). */
export const configSchema = z.object({
  PORT: int(0, 65535),
  HOST: z.string().default('0.0.0.0'),
  REDIS_URL: url.default('redis://127.0.0.1:6379'),
  /** Seed nodes of a Redis Cluster; set, every connection is a cluster client and `REDIS_URL` is not used. */
  REDIS_CLUSTER_NODES: clusterSeeds.optional(),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'letters, digits, _ . - (max 32)').default('chat'),
  DATABASE_URL: z.string().optional(),
  HISTORY_DATA_DIR: z.string().default('./data/history'),
  HISTORY_URL: url.default('http://127.0.0.1:7002'),
  PACING_MS: int(0, 10_000).default(30),
  /** Response cache: `global` (turns without private input, shared by all users), `user` (per user), `off`. */
  CACHE_SCOPE: z.enum(['global', 'user', 'off']).default('global'),
  /** How long a cached reply lives after it was generated. */
  CACHE_TTL_S: int(1, 86_400 * 30).default(3_600),
  /** Pacing of a reply played from the cache; unset: PACING_MS (the screen looks the same). */
  CACHE_PACING_MS: int(0, 10_000).optional(),
  GENERATOR_CONCURRENCY: int(1, 10_000).default(500),
  /** Turn events one history process has in hand: as many as one batch may write, so a long batch wait never caps its rate. */
  HISTORY_CONCURRENCY: int(1, 1_000).default(100),
  /** How long history gathers turn events after the first before it reads and writes them together (0: no wait). */
  HISTORY_BATCH_WAIT_MS: int(0, 1_000).default(100),
  /** How long a turn event stays pending (unacknowledged) before history claims it again: a failed write's retry, a crashed history's batch. */
  HISTORY_RECLAIM_IDLE_MS: int(50, 3_600_000).default(15_000),
  DISCONNECT_GRACE_MS: int(100, 3_600_000).default(10_000),
  STREAM_REPLAY_TTL_S: int(1, 86_400 * 7).default(600),
  /** How long the generator waits for history to confirm a turn before `persisted: false`. */
  PERSIST_WAIT_MS: int(0, 60_000).default(3_000),
  /** BullMQ lock of an active job; a dead worker's job is taken over after about this long. */
  JOB_LOCK_MS: int(500, 600_000).default(2_000),
  JOB_STALLED_INTERVAL_MS: int(200, 600_000).default(1_000),
  JOB_ATTEMPTS: int(1, 100).default(5),
  /** Completed generation jobs kept in Redis for inspection, newest first; 0 removes each as it completes. */
  JOB_KEEP_COMPLETED: int(0, 1_000_000).default(0),
  /** Earlier turns given to the provider as context. */
  CONTEXT_TURNS: int(0, 200).default(10),
  GENERATOR_PROVIDER: z.enum(['builtin', 'openai']).default('builtin'),
  /** Shipped Markdown articles, loaded into the knowledge base by history on its first start. */
  KB_DIR: z.string().default('./kb'),
  /** Tokens (about 4 characters each) of knowledge-base passages the `openai` provider puts in its system prompt. */
  KB_PROMPT_TOKENS: int(0, 100_000).default(1_500),
  /** OpenAI-compatible `/v1/embeddings` server: with EMBEDDINGS_MODEL, retrieval is hybrid (text + vectors). */
  EMBEDDINGS_BASE_URL: unsetIfEmpty(url.optional()),
  EMBEDDINGS_MODEL: unsetIfEmpty(z.string().min(1).optional()),
  EMBEDDINGS_API_KEY: unsetIfEmpty(z.string().optional()),
  /** A section found by its embedding alone (no word in common) must be at least this similar to the question (cosine). */
  EMBEDDINGS_MIN_SIMILARITY: z.coerce.number().min(-1).max(1).default(0.5),
  LLM_BASE_URL: z.string().default('http://127.0.0.1:11434/v1'),
  LLM_MODEL: z.string().default('llama3.2'),
  LLM_API_KEY: z.string().optional(),
  /** Static files of the web UI, served by the gateway at `/`. */
  WEB_DIR: z.string().default('./dist/web'),
  /** Bound on what an unread SSE client may pile up before it is dropped (it can resume). */
  SSE_MAX_PENDING_CHARS: int(1_024, 64 * 1024 * 1024).default(256 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  /** none: the body's/query's user_id is the caller (development). jwt / apikey: credentials decide. */
  AUTH_MODE: z.enum(['none', 'jwt', 'apikey']).default('none'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_JWKS_URL: url.optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  /** `user_id:sha256hex` pairs, comma separated (see `npm run apikey`). */
  API_KEYS: z.string().optional(),
  /** A file of `user_id:sha256hex` lines. */
  API_KEYS_FILE: z.string().optional(),
  /** Users who may change the knowledge base (comma separated), besides API keys marked `:admin`. */
  ADMIN_USERS: z.string().default(''),
  /** Chat requests a user may start per window, across all gateways (0 = no limit). */
  RATE_LIMIT_REQUESTS: int(0, 1_000_000).default(60),
  RATE_LIMIT_WINDOW_S: int(1, 86_400).default(60),
  /** Streams one user may have running at once, across all gateways (0 = no limit). */
  MAX_STREAMS_PER_USER: int(0, 100_000).default(5),
  /** Streams one gateway serves at once before it answers 429 (0 = no limit). */
  MAX_STREAMS_PER_GATEWAY: int(0, 1_000_000).default(5_000),
  /** Gateway processes sharing the port (node:cluster); 1 = this process serves itself. */
  GATEWAY_WORKERS: int(1, 64).default(1),
  /** Browser origins allowed to call the API from another origin (comma separated); the UI itself is same-origin. */
  CORS_ORIGINS: z.string().default(''),
  /** Where PII is redacted or flagged: e.g. `input:flag,output:redact`, `redact`, `off`; parsed into one action per direction. */
  PII_POLICY: z
    .string()
    .default('input:flag,output:flag')
    .transform((value, ctx) => {
      try {
        return parsePiiPolicy(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** Prompt-injection heuristics: `flag` records the verdict, `block` answers 400 (code prompt_injection_blocked), `off` skips. */
  INJECTION_POLICY: z.enum(['off', 'flag', 'block']).default('flag'),
});

/** Settings that only make sense together. */
export const validatedConfigSchema = configSchema.superRefine((c, ctx) => {
  if (c.AUTH_MODE === 'jwt' && !c.JWT_SECRET && !c.JWT_JWKS_URL) {
    ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'AUTH_MODE=jwt needs JWT_SECRET or JWT_JWKS_URL' });
  }
  if (Boolean(c.EMBEDDINGS_BASE_URL) !== Boolean(c.EMBEDDINGS_MODEL)) {
    ctx.addIssue({ code: 'custom', path: [c.EMBEDDINGS_BASE_URL ? 'EMBEDDINGS_MODEL' : 'EMBEDDINGS_BASE_URL'], message: 'EMBEDDINGS_BASE_URL and EMBEDDINGS_MODEL go together' });
  }
  if (c.AUTH_MODE === 'apikey' && !c.API_KEYS && !c.API_KEYS_FILE) {
    ctx.addIssue({ code: 'custom', path: ['API_KEYS'], message: 'AUTH_MODE=apikey needs API_KEYS or API_KEYS_FILE' });
  }
});

export type AppConfig = z.infer<typeof configSchema>;
export type ServiceName = 'gateway' | 'generator' | 'history';

/** Ports that make `npm start` work on a laptop without any setting. */
export const DEFAULT_PORTS: Record<ServiceName, number> = { gateway: 7000, generator: 7001, history: 7002 };
