/**
 * Polls `probe` every 50 ms until it returns a truthy value (a throw counts as "not yet"), and
 * fails naming `what` after `timeoutMs`: how a test waits on a condition instead of a fixed sleep.
 */
export async function until<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
