// Event-loop delay of a service, read from its GET /metrics (prom-client default metrics). The
// services do not expose it otherwise. prom-client resets its monitorEventLoopDelay histogram on
// every scrape, so a scrape before a level and one after it bracket exactly that level.
/**
 * The services' sampling interval (EVENT_LOOP_SAMPLE_MS in libs/platform/src/metrics/metrics.controller.ts),
 * included in every sample; the yardstick servers sample at it too (yardstick-server.mjs).
 */
export const LOOP_SAMPLE_MS = 100;
const RESOLUTION_S = LOOP_SAMPLE_MS / 1000;

function gauge(text, name) {
  const match = text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm'));
  return match ? Number(match[1]) : Number.NaN;
}

export async function scrapeLoopDelay(url) {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    const text = await res.text();
    // The histogram records whole timer intervals: subtract the interval to get the delay.
    const delayMs = (name) => Math.round(Math.max(0, gauge(text, name) - RESOLUTION_S) * 1e4) / 10;
    return {
      p50Ms: delayMs('nodejs_eventloop_lag_p50_seconds'),
      p99Ms: delayMs('nodejs_eventloop_lag_p99_seconds'),
      maxMs: delayMs('nodejs_eventloop_lag_max_seconds'),
    };
  } catch (err) {
    return { error: err.message };
  }
}
