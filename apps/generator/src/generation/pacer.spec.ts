import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Pacer } from './pacer.js';
import { PacingClock } from './pacing-clock.js';

describe('Pacer on the shared PacingClock', () => {
  let clock: PacingClock;
  beforeEach(() => {
    clock = new PacingClock();
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

  it('wakes many streams with few timer callbacks, each on its own schedule', async () => {
    const streams = 200;
    const ticks = 5;
    const wakeTimes: number[][] = [];
    await Promise.all(
      Array.from({ length: streams }, async (_, s) => {
        await new Promise((r) => setTimeout(r, s % 10)); // streams start at different times
        const times: number[] = [performance.now()];
        const pacer = new Pacer(15, clock, new AbortController().signal);
        for (let i = 0; i < ticks; i++) {
          await pacer.next();
          times.push(performance.now());
        }
        wakeTimes.push(times);
        pacer.dispose();
      }),
    );
    // 800 waits (the first tick of each stream is immediate) on about 10 distinct schedules.
    expect(clock.firings).toBeLessThan(150);
    expect(clock.pending).toBe(0);
    for (const [created, ...times] of wakeTimes) {
      // Tick k is never early (the clock may round half a millisecond), and not much late.
      times.forEach((t, k) => expect(t - created).toBeGreaterThanOrEqual(k * 15 - 0.6));
      expect(times[ticks - 1] - created).toBeLessThan((ticks - 1) * 15 + 60);
    }
  });
});

