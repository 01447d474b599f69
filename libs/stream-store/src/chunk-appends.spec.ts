import { describe, expect, it } from '@jest/globals';
import { ChunkAppends, type AppendListener, type ChunkAppend } from './chunk-appends.js';

const chunk = (streamId: string, seq: number): ChunkAppend => ({ streamId, seq, entry: `c:${seq}:{}` });

/** A send that answers each chunk with its seq, and records the batches it was given. */
function recordingSend(batches: ChunkAppend[][]) {
  return (batch: readonly ChunkAppend[]) => {
    batches.push([...batch]);
    return Promise.resolve(batch.map((c) => c.seq));
  };
}

function listener(answers: Array<number | Error>): AppendListener<number> {
  return { appended: (result) => answers.push(result), appendFailed: (err) => answers.push(err) };
}

describe('ChunkAppends', () => {
  it('sends the appends of one tick as one batch, from callbacks and from promise jobs alike', async () => {
    const batches: ChunkAppend[][] = [];
    const appends = new ChunkAppends(recordingSend(batches), 256);
    const answers: Array<number | Error> = [];
    appends.add(chunk('a', 1), listener(answers));
    const viaPromise = Promise.resolve().then(() => appends.load(chunk('b', 7)));
    appends.add(chunk('c', 3), listener(answers));
    expect(await viaPromise).toBe(7);
    expect(batches.map((b) => b.map((c) => c.streamId))).toEqual([['a', 'c', 'b']]);
    expect(answers).toEqual([1, 3]);

    // The next tick's appends are the next batch.
    await appends.load(chunk('a', 2));
    expect(batches).toHaveLength(2);
  });

  it('splits a tick with more appends than a call may carry', async () => {
    const batches: ChunkAppend[][] = [];
    const appends = new ChunkAppends(recordingSend(batches), 3);
    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((seq) => appends.load(chunk(`s${seq}`, seq))));
    expect(results).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
  });

  it('tells every listener of a failed call, and a listener that throws does not keep the others from their answers', async () => {
    const failing = new ChunkAppends<number>(() => Promise.reject(new Error('Redis is down')), 256);
    const failed = await Promise.allSettled([failing.load(chunk('a', 1)), failing.load(chunk('b', 1))]);
    expect(failed.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(['Redis is down', 'Redis is down']);

    const appends = new ChunkAppends(recordingSend([]), 256);
    const seen: string[] = [];
    appends.add(chunk('a', 1), {
      appended: () => {
        throw new Error('listener bug');
      },
      appendFailed: (err) => seen.push(`a failed: ${err.message}`),
    });
    await appends.load(chunk('b', 2)).then((result) => seen.push(`b ${result}`));
    expect(seen).toEqual(['a failed: listener bug', 'b 2']);
  });
});
