import { describe, expect, it } from '@jest/globals';
import type { MessageEvent } from '@nestjs/common';
import { encodeEntry, EntryKind, type StreamStore } from '@app/stream-store';
import { Subscriber } from 'rxjs';
import { OrderedRelay, RESYNC } from './ordered-relay.js';

const chunk = (seq: number) => encodeEntry(EntryKind.Chunk, seq, JSON.stringify({ text: `w${seq} `, seq }));
const done = (seq: number) => encodeEntry(EntryKind.Done, seq, JSON.stringify({ status: 'completed', stats: { ttft_ms: 0 } }));
const elp = (seq: number) => encodeEntry(EntryKind.Elp, seq, JSON.stringify({ seq }));
const stop = (seq: number) => encodeEntry(EntryKind.Stop, seq, '{}');

/** The log the relay reads back from, as the store serves it (index k-1 holds chunk k). */
function logOf(entries: string[], { exists = true } = {}): Pick<StreamStore, 'readLog' | 'exists'> & { reads: number } {
  return {
    reads: 0,
    async readLog(_streamId: string, from: number, to = -1) {
      this.reads += 1;
      const end = to < 0 ? entries.length + to + 1 : to + 1;
      return entries.slice(from < 0 ? entries.length + from : from, end);
    },
    async exists() {
      return exists;
    },
  };
}

/** What one client would be sent: the ids and types of its events, in order. */
function client(store: ReturnType<typeof logOf>, afterSeq = 0, newStream = false) {
  const seen: string[] = [];
  let completed = false;
  const out = new Subscriber<MessageEvent>({
    next: (e: MessageEvent) => void seen.push(`${e.type ?? 'chunk'}:${e.id}`),
    error: () => undefined,
    complete: () => void (completed = true),
  });
  const relay = new OrderedRelay('s', store as unknown as StreamStore, out, { meta: { stream_id: 's', session_id: 'x', created_at: '' }, afterSeq, newStream });
  return { relay, seen, isCompleted: () => completed };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('OrderedRelay', () => {
  it('sends the log after the last seq, then live chunks, each once and in order', async () => {
    const store = logOf([chunk(1), chunk(2), chunk(3)]);
    const { relay, seen } = client(store, 1);
    await relay.start([chunk(3), chunk(4)]); // live entries that arrived while the log was read
    relay.push(chunk(4)); // a duplicate: queued, then dropped
    relay.push(chunk(5));
    await settle();
    expect(seen).toEqual(['chunk:2', 'chunk:3', 'chunk:4', 'chunk:5']);
  });

  it('fills a gap in the live entries from the log', async () => {
    const entries = [chunk(1), chunk(2), chunk(3), chunk(4)];
    const store = logOf(entries);
    const { relay, seen } = client(store, 0, true);
    await relay.start([]);
    expect(store.reads).toBe(0); // a new stream has no backlog to read
    relay.push(chunk(1));
    relay.push(chunk(4)); // 2 and 3 were lost while Redis reconnected
    await settle();
    expect(seen).toEqual(['chunk:1', 'chunk:2', 'chunk:3', 'chunk:4']);
  });

  it('ends with the terminal entry after every chunk before it, and sends nothing after', async () => {
    const store = logOf([chunk(1), chunk(2), done(2)]);
    const { relay, seen, isCompleted } = client(store, 0, true);
    await relay.start([]);
    relay.push(chunk(1));
    relay.push(done(2)); // chunk 2 never came live
    await settle();
    relay.push(chunk(3));
    expect(seen).toEqual(['chunk:1', 'chunk:2', 'done:2']);
    expect(isCompleted()).toBe(true);
  });

  it("skips a cancelled stream's stop entry, whether read from the log or past its end", async () => {
    const store = logOf([chunk(1), chunk(2), stop(2), done(2)]);
    const fromStart = client(store);
    await fromStart.relay.start([]);
    await settle();
    expect(fromStart.seen).toEqual(['chunk:1', 'chunk:2', 'done:2']);

    const stopping = logOf([chunk(1), stop(1)]); // cancelled, its generator not finished yet
    const late = client(stopping, 1);
    await late.relay.start([]);
    await settle();
    expect(late.seen).toEqual([]);
    expect(late.isCompleted()).toBe(false);
    late.relay.push(done(1));
    await settle();
    expect(late.seen).toEqual(['done:1']);
  });

  it('passes an ELP snapshot only when it is not behind what the client has', async () => {
    const { relay, seen } = client(logOf([]), 0, true);
    await relay.start([]);
    relay.push(chunk(1));
    relay.push(chunk(2));
    relay.push(elp(1));
    relay.push(elp(2));
    await settle();
    expect(seen).toEqual(['chunk:1', 'chunk:2', 'elp:2']);
  });

  it('sends a running snapshot and the chunk published with it at once, in order, without waiting for a later turn of the event loop', async () => {
    const { relay, seen } = client(logOf([]), 0, true);
    await relay.start([]);
    relay.push(chunk(1));
    relay.push(elp(1));
    relay.push(chunk(2));
    // Nothing awaited: the three went out as they were pushed.
    expect(seen).toEqual(['chunk:1', 'elp:1', 'chunk:2']);
  });

  it('catches up from the log after a reconnect, or ends retryably when the stream was lost', async () => {
    const store = logOf([chunk(1), chunk(2), chunk(3)]);
    const { relay, seen } = client(store, 0, true);
    await relay.start([]);
    relay.push(chunk(1));
    relay.push(RESYNC);
    await settle();
    expect(seen).toEqual(['chunk:1', 'chunk:2', 'chunk:3']);

    const lost = client(logOf([chunk(1)], { exists: false }), 0, true);
    await lost.relay.start([]);
    lost.relay.push(RESYNC);
    await settle();
    expect(lost.seen).toEqual(['error:0']);
    expect(lost.isCompleted()).toBe(true);
  });

  it('gives a client whose Last-Event-ID is past the end the last entry, so a finished stream ends', async () => {
    const { relay, seen, isCompleted } = client(logOf([chunk(1), done(1)]), 7);
    await relay.start([]);
    expect(seen).toEqual(['done:7']);
    expect(isCompleted()).toBe(true);
  });
});
