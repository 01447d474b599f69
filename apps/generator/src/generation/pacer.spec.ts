import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Pacer } from './pacer.js';
import { PacingClock } from './pacing-clock.js';

describe('Pacer on the shared PacingClock', () => {
  let clock: PacingClock;
  beforeEach(() => {
    clock = new PacingClock({ PACING_MS: 30 });
  });
  afterEach(() => clock.onApplicationShutdown());

  it('sends the first tick at once and keeps the average interval despite slow work', async () => {
    const pacer = new Pacer(20, clock, new AbortController().signal);
    const start = performance.now();
    await pacer.next();
    expect(performance.now() - start).toBeLessThan(10);
    for (let i = 0; i < 10; i++) {
      await pacer.next();
      const busyUntil = performance.now() + 5; // work between ticks must not add up as drift
      while (performance.now() < busyUntil);
    }
    const elapsed = performance.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(195);
    expect(elapsed).toBeLessThan(320);
    pacer.dispose();
  });

  it('stops waiting when aborted, and refuses further ticks', async () => {
    const controller = new AbortController();
    const pacer = new Pacer(10_000, clock, controller.signal);
    await pacer.next();
    const waiting = pacer.next();
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    await expect(pacer.next()).rejects.toThrow('cancelled');
  });

  it('wakes many streams in few timer callbacks, none early and at most one slot late', async () => {
    const streams = 200;
    const ticks = 5;
    const wakeTimes: number[][] = [];
    await Promise.all(
      Array.from({ length: streams }, async (_, s) => {
        await new Promise((r) => setTimeout(r, s % 10)); // streams start at different times
        const times: number[] = [performance.now()];
        const pacer = new Pacer(30, clock, new AbortController().signal);
        for (let i = 0; i < ticks; i++) {
          await pacer.next();
          times.push(performance.now());
        }
        wakeTimes.push(times);
        pacer.dispose();
      }),
    );
    // 800 waits (the first tick of each stream is immediate) share a few 5 ms slots per interval.
    expect(clock.resolutionMs).toBe(5);
    expect(clock.firings).toBeLessThan(60);
    expect(clock.pending).toBe(0);
    for (const [created, ...times] of wakeTimes) {
      times.forEach((t, k) => {
        expect(t - created).toBeGreaterThanOrEqual(k * 30 - 0.6);
        expect(t - created).toBeLessThan(k * 30 + 5 + 40); // a slot, plus a loaded machine's timer lateness
      });
    }
  });
});
