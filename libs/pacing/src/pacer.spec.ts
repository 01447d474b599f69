import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Pacer } from './pacer.js';
import { PacingClock } from './pacing-clock.js';

// Fake timers (performance.now() included): the schedule is checked to the millisecond, whatever
// else the machine is doing.
describe('Pacer on the shared PacingClock', () => {
  let clock: PacingClock;
  beforeEach(() => {
    jest.useFakeTimers();
    clock = new PacingClock({ PACING_MS: 30 });
  });
  afterEach(() => {
    clock.onApplicationShutdown();
    jest.useRealTimers();
  });

  /** Runs `body` while the fake clock advances by `ms`. */
  async function during<T>(ms: number, body: () => Promise<T>): Promise<T> {
    const running = body();
    await jest.advanceTimersByTimeAsync(ms);
    return running;
  }

  it('sends the first tick at once and keeps the schedule despite slow work between ticks', async () => {
    const pacer = new Pacer(20, clock, new AbortController().signal);
    const start = performance.now();
    const times = await during(1_000, async () => {
      const at: number[] = [];
      for (let i = 0; i <= 10; i++) {
        await pacer.next();
        at.push(performance.now() - start);
        await new Promise((resolve) => setTimeout(resolve, 5)); // work: 5 ms that must not add up as drift
      }
      return at;
    });
    expect(times[0]).toBe(0);
    // Tick k is due at k × 20 ms and wakes within its slot: no drift after ten slow ticks.
    times.forEach((t, k) => {
      expect(t).toBeGreaterThanOrEqual(k * 20);
      expect(t).toBeLessThanOrEqual(k * 20 + clock.resolutionMs);
    });
    pacer.dispose();
  });

  it('calls back on the same schedule without promises: the first tick before whenDue returns', async () => {
    const pacer = new Pacer(20, clock);
    const start = performance.now();
    const at: number[] = [];
    const tick = () => {
      at.push(performance.now() - start);
      // 5 ms of work before asking for the next tick must not add up as drift.
      if (at.length <= 10) setTimeout(() => pacer.whenDue(tick), 5);
    };
    pacer.whenDue(tick);
    expect(at).toEqual([0]);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(at).toHaveLength(11);
    at.forEach((t, k) => {
      expect(t).toBeGreaterThanOrEqual(k * 20);
      expect(t).toBeLessThanOrEqual(k * 20 + clock.resolutionMs);
    });
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
    const wakeTimes = await during(1_000, () =>
      Promise.all(
        Array.from({ length: streams }, async (_, s) => {
          await new Promise((resolve) => setTimeout(resolve, s % 10)); // streams start at different times
          const times: number[] = [performance.now()];
          const pacer = new Pacer(30, clock, new AbortController().signal);
          for (let i = 0; i < ticks; i++) {
            await pacer.next();
            times.push(performance.now());
          }
          pacer.dispose();
          return times;
        }),
      ),
    );
    // 800 waits (the first tick of each stream is immediate) share a few 10 ms slots per interval.
    expect(clock.resolutionMs).toBe(10);
    expect(clock.firings).toBeLessThan(60);
    expect(clock.pending).toBe(0);
    for (const [created, ...times] of wakeTimes) {
      times.forEach((t, k) => {
        expect(t - created).toBeGreaterThanOrEqual(k * 30 - 0.5);
        expect(t - created).toBeLessThanOrEqual(k * 30 + clock.resolutionMs);
      });
    }
  });
});
