import { describe, expect, it } from '@jest/globals';
import { WriteBatcher } from './write-batcher.js';

/** A batch writer that records its batches, doubles each item, and fails batches holding `bad`. */
function recorder(bad?: number) {
  const batches: number[][] = [];
  let release: () => void = () => {};
  let gate: Promise<void> = Promise.resolve();
  return {
    batches,
    /** Holds the next batches until `open()`. */
    hold() {
      gate = new Promise((resolve) => (release = resolve));
    },
    open: () => release(),
    async write(items: readonly number[]): Promise<number[]> {
      batches.push([...items]);
      await gate;
      if (bad !== undefined && items.includes(bad)) throw new Error(`bad item ${bad}`);
      return items.map((i) => i * 2);
    },
  };
}

describe('WriteBatcher', () => {
  it('writes the items issued together in one batch, in order, each caller getting its own result', async () => {
    const writer = recorder();
    const batcher = new WriteBatcher(writer.write, 100);
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => batcher.write(i)));
    expect(results).toEqual([2, 4, 6, 8, 10]);
    expect(writer.batches).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('collects the items that arrive during a flush into the next batch', async () => {
    const writer = recorder();
    const batcher = new WriteBatcher(writer.write, 100);
    writer.hold();
    const first = batcher.write(1);
    await Promise.resolve(); // the first flush starts
    const later = [2, 3, 4].map((i) => batcher.write(i));
    expect(writer.batches).toEqual([[1]]);
    writer.open();
    expect(await Promise.all([first, ...later])).toEqual([2, 4, 6, 8]);
    expect(writer.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('never puts more than maxBatch items in one batch', async () => {
    const writer = recorder();
    const batcher = new WriteBatcher(writer.write, 3);
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((i) => batcher.write(i)));
    expect(writer.batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('writes the items of a failed batch one by one, so only the bad item fails', async () => {
    const writer = recorder(3);
    const batcher = new WriteBatcher(writer.write, 100);
    const settled = await Promise.allSettled([1, 2, 3, 4].map((i) => batcher.write(i)));
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([2, 4, 'bad item 3', 8]);
    expect(writer.batches).toEqual([[1, 2, 3, 4], [1], [2], [3], [4]]);
  });

  it('keeps going after a failure: later writes are batched again', async () => {
    const writer = recorder(1);
    const batcher = new WriteBatcher(writer.write, 100);
    await expect(batcher.write(1)).rejects.toThrow('bad item 1');
    expect(await Promise.all([5, 6].map((i) => batcher.write(i)))).toEqual([10, 12]);
    expect(writer.batches).toEqual([[1], [5, 6]]);
  });
});
