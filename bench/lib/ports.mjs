// Free loopback ports and a bounded poll for the bench (the TypeScript test harness has its own,
// test/support/free-port.ts and until.ts: .mjs cannot import them without a build step).
export { freePort } from '../../scripts/lib/free-port.mjs';

export async function until(probe, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
