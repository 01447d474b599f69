import { describe, expect, it } from '@jest/globals';
import { Pacer } from './pacer.js';

describe('Pacer', () => {
  it('sends the first tick at once and keeps the average interval despite slow work', async () => {
    const pacer = new Pacer(20);
    const signal = new AbortController().signal;
    const start = performance.now();
    await pacer.next(signal);
    expect(performance.now() - start).toBeLessThan(10);
    for (let i = 0; i < 10; i++) {
      await pacer.next(signal);
      const busyUntil = performance.now() + 5; // work between ticks must not add up as drift
      while (performance.now() < busyUntil);
    }
    const elapsed = performance.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(195);
    expect(elapsed).toBeLessThan(320);
  });

  it('stops waiting when aborted', async () => {
    const pacer = new Pacer(10_000);
    const controller = new AbortController();
    await pacer.next(controller.signal);
    const waiting = pacer.next(controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
  });
});
