import { randomUUID } from 'node:crypto';
import { waitReady, type AppConfig } from '@app/platform';
import { AppendResult, decodeEntry, EntryKind, MAX_APPEND_BATCH, presenceCheckEvery, StreamKeys, StreamStore } from '@app/stream-store';
import type { Redis } from 'ioredis';
import { until } from '../support/until.js';
import { TestRedis } from '../support/redis-server.js';

/** The generator's chunk appends, against a real Redis: batched per tick, judged per stream. */
describe('StreamStore.append', () => {
  let server: TestRedis;
  let redis: Redis;
  let writer: StreamStore;
  const keys = new StreamKeys('writer-test');

  beforeAll(async () => {
    server = await TestRedis.start();
    redis = server.client();
    const config = { REDIS_URL: server.url, REDIS_PREFIX: 'writer-test', STREAM_REPLAY_TTL_S: 600, PACING_MS: 30, DISCONNECT_GRACE_MS: 10_000 } as AppConfig;
    writer = StreamStore.connect(config, 'test:commands');
    await waitReady(writer.connection, 10_000);
  });

  afterAll(async () => {
    writer.onApplicationShutdown();
    redis.disconnect();
    await server.stop();
  });

  /** A stream as the gateway opens it: meta running, a client attached; `logged` chunks already in its log. */
  async function openStream(status = 'running', { attached = true, logged = 0 } = {}): Promise<string> {
    const id = randomUUID();
    await redis.hset(keys.meta(id), 'status', status);
    if (attached) await redis.set(keys.presence(id), '1', 'PX', 60_000);
    for (let seq = 1; seq <= logged; seq++) await redis.rpush(keys.log(id), `earlier ${seq}`);
    return id;
  }

  /** Calls of these commands so far (a script's commands count too). */
  async function commandCalls(...names: string[]): Promise<number> {
    const stats = await redis.info('commandstats');
    const calls = (name: string) => Number(stats.match(new RegExp(`cmdstat_${name}:calls=(\\d+)`))?.[1] ?? 0);
    return names.reduce((sum, name) => sum + calls(name), 0);
  }

  const scriptCalls = () => commandCalls('evalsha', 'eval');

  it('sends the appends of one tick as one script call, and each stream gets its chunk in log and channel', async () => {
    const ids = await Promise.all(Array.from({ length: 50 }, () => openStream()));
    const listener = server.client();
    const received = new Map<string, string>();
    listener.on('message', (channel: string, message: string) => received.set(channel, message));
    await listener.subscribe(...ids.map((id) => keys.channel(id)));
    await writer.append(ids[0], 1, 'warm-up '); // loads the script, so the count below is one call
    const before = await scriptCalls();

    const results = await Promise.all(ids.slice(1).map((id, i) => writer.append(id, 1, `word${i} `)));

    expect(await scriptCalls()).toBe(before + 1);
    expect(results).toEqual(ids.slice(1).map(() => AppendResult.Appended));
    for (const [i, id] of ids.slice(1).entries()) {
      const [logged] = await redis.lrange(keys.log(id), 0, -1);
      expect(decodeEntry(logged)).toMatchObject({ kind: EntryKind.Chunk, seq: 1 });
      expect(JSON.parse(decodeEntry(logged).data)).toEqual({ text: `word${i} `, seq: 1 });
      expect(await redis.ttl(keys.log(id))).toBeGreaterThan(500);
    }
    await until(async () => ids.slice(1).every((id) => received.has(keys.channel(id))), 5_000, 'every chunk published');
    for (const id of ids.slice(1)) expect(received.get(keys.channel(id))).toBe(await redis.lindex(keys.log(id), 0));
    listener.disconnect();
  });

  it('judges every chunk of a batch on its own stream: one refusal does not touch the others', async () => {
    const running = await openStream();
    const cancelling = await openStream('cancelling');
    const finished = await openStream('completed');
    const abandoned = await openStream('running', { attached: false });
    const resent = await openStream('running', { logged: 2 });
    const ahead = await openStream('running', { logged: 1 });
    const next = await openStream('running', { logged: 1 });

    const results = await Promise.all([
      writer.append(running, 1, 'a '),
      writer.append(cancelling, 1, 'b '),
      writer.append(finished, 1, 'c '),
      writer.append(abandoned, 1, 'd '),
      writer.append(resent, 2, 'e '),
      writer.append(ahead, 3, 'f '),
      writer.append(next, 2, 'g '),
    ]);

    expect(results).toEqual([
      AppendResult.Appended,
      AppendResult.Cancelling,
      AppendResult.Finished,
      AppendResult.Abandoned,
      AppendResult.AlreadyThere,
      AppendResult.Gap,
      AppendResult.Appended,
    ]);
    const lengths = await Promise.all([running, cancelling, finished, abandoned, resent, ahead, next].map((id) => redis.llen(keys.log(id))));
    expect(lengths).toEqual([1, 0, 0, 0, 2, 1, 2]);
    // A refused seq leaves the log as it was (the script pushes, sees the length, pops it again).
    expect(await redis.lrange(keys.log(resent), 0, -1)).toEqual(['earlier 1', 'earlier 2']);
    expect(await redis.lrange(keys.log(ahead), 0, -1)).toEqual(['earlier 1']);
  });

  it('refuses a chunk past a gap on a stream with no log yet, and leaves no log behind', async () => {
    const empty = await openStream();
    expect(await writer.append(empty, 3, 'x ')).toBe(AppendResult.Gap);
    expect(await redis.exists(keys.log(empty))).toBe(0);
  });

  it('checks presence on the first chunk and then about once a second (every 33 chunks at 30 ms)', async () => {
    const every = presenceCheckEvery(30);
    expect(every).toBe(33);
    const id = await openStream();
    expect(await writer.append(id, 1, 'w1 ')).toBe(AppendResult.Appended);
    await redis.del(keys.presence(id)); // the client left and its grace period ran out
    const reads = await commandCalls('hget', 'exists');
    for (let seq = 2; seq <= every; seq++) {
      expect(await writer.append(id, seq, `w${seq} `)).toBe(AppendResult.Appended);
    }
    expect(await commandCalls('hget', 'exists')).toBe(reads); // between checks, a chunk reads neither status nor presence
    expect(await writer.append(id, every + 1, 'late ')).toBe(AppendResult.Abandoned);
    expect(await redis.llen(keys.log(id))).toBe(every);
  });

  it('refuses the chunk after a cancel (not sampled: the stop entry makes the length check fail), and the log reads chunks, stop, done', async () => {
    const id = await openStream();
    for (let seq = 1; seq <= 3; seq++) expect(await writer.append(id, seq, `w${seq} `)).toBe(AppendResult.Appended);
    expect(await writer.cancel(id)).toBe('running');

    expect(await writer.append(id, 4, 'w4 ')).toBe(AppendResult.Cancelling);
    expect(await writer.append(id, 2, 'w2 ')).toBe(AppendResult.Cancelling); // a retried attempt's resend
    expect(await writer.progress(id)).toEqual({ status: 'cancelling', published: 3 });
    expect(await writer.sentText(id)).toEqual({ text: 'w1 w2 w3 ', chunks: 3 });
    expect(await writer.finish({ streamId: id, sessionId: 's', userId: 'u' }, EntryKind.Done, 3, { status: 'cancelled' }, 'cancelled')).toBe(true);
    const kinds = (await redis.lrange(keys.log(id), 0, -1)).map((raw) => `${decodeEntry(raw).kind}${decodeEntry(raw).seq}`);
    expect(kinds).toEqual(['c1', 'c2', 'c3', 's3', 'd3']);
    expect(await writer.append(id, 4, 'w4 ')).toBe(AppendResult.Finished);
  });

  it('refuses the first chunk of a stream cancelled before it, whose log the cancel started with the meta TTL', async () => {
    const id = await openStream();
    await redis.expire(keys.meta(id), 300);
    expect(await writer.cancel(id)).toBe('running');
    expect(await redis.ttl(keys.log(id))).toBeGreaterThan(250);
    expect(await writer.append(id, 1, 'w1 ')).toBe(AppendResult.Cancelling);
    expect(await writer.progress(id)).toEqual({ status: 'cancelling', published: 0 });
  });

  it('refuses the next chunk of a finished stream through the terminal entry, without a status read per chunk', async () => {
    const id = await openStream();
    for (let seq = 1; seq <= 2; seq++) expect(await writer.append(id, seq, `w${seq} `)).toBe(AppendResult.Appended);
    expect(await writer.finish({ streamId: id, sessionId: 's', userId: 'u' }, EntryKind.Done, 2, { status: 'completed' }, 'completed')).toBe(true);
    expect(await writer.append(id, 3, 'w3 ')).toBe(AppendResult.Finished);
    expect(await redis.llen(keys.log(id))).toBe(3);
  });

  it('splits a tick with more appends than one batch holds into several calls, losing none', async () => {
    const count = MAX_APPEND_BATCH * 2 + 10;
    const ids = await Promise.all(Array.from({ length: count }, () => openStream()));
    const before = await scriptCalls();

    const results = await Promise.all(ids.map((id) => writer.append(id, 1, 'x ')));

    expect(results.every((r) => r === AppendResult.Appended)).toBe(true);
    expect(await scriptCalls()).toBe(before + 3);
    const lengths = await Promise.all(ids.map((id) => redis.llen(keys.log(id))));
    expect(lengths.every((n) => n === 1)).toBe(true);
  });

  it('fails every append of a batch when Redis refuses the call, so each job can retry', async () => {
    const id = await openStream();
    const broken = StreamStore.connect({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_PREFIX: 'writer-test', STREAM_REPLAY_TTL_S: 600, PACING_MS: 30, DISCONNECT_GRACE_MS: 10_000 } as AppConfig, 'test:broken');
    try {
      const attempts = await Promise.allSettled([broken.append(id, 1, 'a '), broken.append(id, 2, 'b ')]);
      expect(attempts.map((a) => a.status)).toEqual(['rejected', 'rejected']);
      expect(await redis.llen(keys.log(id))).toBe(0);
    } finally {
      broken.onApplicationShutdown();
    }
  }, 30_000);
});
