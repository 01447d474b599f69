import { randomUUID } from 'node:crypto';
import { ServiceProcess } from './service-process.js';
import { TestDatabase, type DatabaseKind } from './test-database.js';
import { TestRedis } from './redis-server.js';

export interface StackOptions {
  generators?: number;
  gateways?: number;
  database?: DatabaseKind;
  /** Extra environment for every service (PACING_MS, DISCONNECT_GRACE_MS, …). */
  env?: Record<string, string>;
}

/**
 * The whole product as separate real processes: a private redis-server, history (with its own
 * fresh database), N generators and M gateways, each started from the build like `npm start` does.
 */
export class TestStack {
  readonly generators: ServiceProcess[] = [];
  readonly gateways: ServiceProcess[] = [];
  history!: ServiceProcess;
  private constructor(
    readonly redis: TestRedis,
    readonly database: TestDatabase,
    readonly env: Record<string, string>,
  ) {}

  static async start(options: StackOptions = {}): Promise<TestStack> {
    const redis = await TestRedis.start();
    // The knowledge-base settings change what history's first start stores: such a stack starts from nothing.
    const firstStartMatters = Object.keys(options.env ?? {}).some((name) => name === 'KB_DIR' || name.startsWith('EMBEDDINGS_'));
    const database = await TestDatabase.create(options.database ?? 'pglite', { fromTemplate: !firstStartMatters });
    const env = {
      REDIS_URL: redis.url,
      REDIS_PREFIX: `t${randomUUID().slice(0, 8)}`,
      PACING_MS: '3',
      // Suites send many requests as one user; the limits suite sets its own values.
      RATE_LIMIT_REQUESTS: '0',
      MAX_STREAMS_PER_USER: '0',
      // Suites ask the same question many times and mean a generated reply each time; the cache
      // suite turns it on.
      CACHE_SCOPE: 'off',
      // Suites look at finished jobs (their data as enqueued, which generator ran them, how many
      // there were): the product removes each as it completes.
      JOB_KEEP_COMPLETED: '10000',
      ...database.env,
      ...options.env,
    };
    const stack = new TestStack(redis, database, env);
    try {
      stack.history = await ServiceProcess.start('history', env);
      const withHistory = { ...env, HISTORY_URL: stack.history.url };
      stack.env.HISTORY_URL = stack.history.url;
      // Generators and gateways do not wait for each other: they start together.
      const starting = (name: 'generator' | 'gateway', count: number) => Array.from({ length: count }, () => ServiceProcess.start(name, withHistory));
      const generators = starting('generator', options.generators ?? 1);
      const gateways = starting('gateway', options.gateways ?? 1);
      const started = await Promise.allSettled([...generators, ...gateways]);
      for (const [i, result] of started.entries()) {
        if (result.status === 'fulfilled') (i < generators.length ? stack.generators : stack.gateways).push(result.value);
      }
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    } catch (err) {
      await stack.stop();
      throw err;
    }
    return stack;
  }

  get gateway(): ServiceProcess {
    return this.gateways[0];
  }

  async addGenerator(): Promise<ServiceProcess> {
    const generator = await ServiceProcess.start('generator', this.env);
    this.generators.push(generator);
    return generator;
  }

  async stop(): Promise<void> {
    const services = [...this.gateways, ...this.generators, ...(this.history ? [this.history] : [])];
    await Promise.allSettled(services.map((s) => s.stop()));
    await this.redis.stop();
    await this.database.dispose();
  }
}
