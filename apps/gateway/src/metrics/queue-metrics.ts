import { gauge } from '@app/platform';

export type JobCounts = (...states: string[]) => Promise<Record<string, number>>;

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * The `generation` queue's depth, read from Redis when /metrics is scraped (one call per scrape,
 * nothing per request). Every gateway reports the same queue: aggregate with max(), not sum().
 */
export function watchGenerationQueue(counts: JobCounts): void {
  gauge({
    name: 'chat_generation_queue_jobs',
    help: 'Jobs of the generation queue by state',
    labelNames: ['state'] as const,
    async collect() {
      const now = await counts(...STATES).catch(() => undefined);
      if (!now) return; // Redis down: the gauge keeps its last values, and readiness says why
      for (const state of STATES) this.set({ state }, now[state] ?? 0);
    },
  });
}
