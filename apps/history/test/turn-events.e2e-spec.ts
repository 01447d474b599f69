import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  HISTORY_CONSUMER_GROUP,
  turnEventFields,
  TurnEventKind,
  type SessionHistory,
  type TurnFinishedData,
  type TurnStartedData,
} from '@app/contracts';
import { StreamKeys } from '@app/stream-store';
import { Redis } from 'ioredis';
import { until } from '../../../test/support/until.js';
import { TestStack } from '../../../test/support/test-stack.js';
import { MAX_DELIVERIES } from '../src/turns/turn-events.consumer.js';

function startedTurn(overrides: Partial<TurnStartedData> = {}): TurnStartedData {
  return {
    stream_id: randomUUID(),
    session_id: randomUUID(),
    user_id: 'stream-reader',
    message: 'How do I configure the Redis connection?',
    created_at: new Date().toISOString(),
    ...overrides,
  };
}

function finishedTurn(started: TurnStartedData): TurnFinishedData {
  return { ...started, content: 'Set REDIS_URL.', status: 'completed', elp: null, stats: null, sources: [], finished_at: new Date().toISOString() };
}

describe('history reading the turn events stream', () => {
  let stack: TestStack;
  let redis: Redis;
  let keys: StreamKeys;

  beforeAll(async () => {
    // No generator, no gateway: the test plays the generators' part on the stream.
    stack = await TestStack.start({ generators: 0, gateways: 0, env: { HISTORY_RECLAIM_IDLE_MS: '300' } });
    redis = new Redis(stack.redis.url);
    keys = new StreamKeys(stack.env.REDIS_PREFIX);
  }, 90_000);
  afterAll(async () => {
    redis?.disconnect();
    await stack?.stop();
  }, 30_000);

  const addStarted = (turn: TurnStartedData) => redis.xadd(keys.turnEvents(), '*', ...turnEventFields({ kind: TurnEventKind.TurnStarted, turn }));
  const addFinished = (turn: TurnFinishedData) => redis.xadd(keys.turnEvents(), '*', ...turnEventFields({ kind: TurnEventKind.TurnFinished, turn }));

  async function session(sessionId: string): Promise<SessionHistory | undefined> {
    const res = await fetch(`${stack.history.url}/sessions/${sessionId}`);
    return res.ok ? ((await res.json()) as SessionHistory) : undefined;
  }

  /** Waits until every entry is written and deleted and none is pending. */
  async function drained(): Promise<void> {
    await until(
      async () => {
        const [length, pending] = await Promise.all([redis.xlen(keys.turnEvents()), redis.xpending(keys.turnEvents(), HISTORY_CONSUMER_GROUP)]);
        return length === 0 && (pending as [number])[0] === 0 ? true : undefined;
      },
      15_000,
      'the turn events stream drained',
    );
  }

  it('stores a turn once when its events are delivered twice, one copy held by a crashed consumer', async () => {
    await stack.history.stop();
    const started = startedTurn();
    const finished = finishedTurn(started);
    await addStarted(started);
    await addFinished(finished);
    // A consumer reads both and dies without acknowledging them.
    const delivered = (await redis.xreadgroup('GROUP', HISTORY_CONSUMER_GROUP, 'crashed', 'COUNT', 10, 'STREAMS', keys.turnEvents(), '>')) as [string, unknown[]][];
    expect(delivered[0][1]).toHaveLength(2);
    await addFinished(finished); // a retried generator attempt adds its turn again

    await stack.history.launch();
    const stored = await until(async () => {
      const s = await session(started.session_id);
      return s && s.messages.length === 2 ? s : undefined;
    }, 15_000, 'the turn stored');
    await drained();
    expect((await session(started.session_id))?.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', started.message],
      ['assistant', finished.content],
    ]);
    expect(stored.active_stream_id).toBeNull();
  }, 60_000);

  it('reads the entries that arrive within the batch wait together, and settles them with one acknowledgement', async () => {
    await drained();
    const calls = async (command: string) => Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(await redis.info('commandstats'))?.[1] ?? 0);
    const [readsBefore, acksBefore] = [await calls('xreadgroup'), await calls('xack')];
    // Ten turns' starts a few milliseconds apart, within one batch wait (HISTORY_BATCH_WAIT_MS,
    // 100 ms by default): the first read wakes for the first of them, one more read takes the rest.
    const turns = Array.from({ length: 10 }, () => startedTurn());
    for (const turn of turns) {
      await addStarted(turn);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await drained();
    for (const turn of turns) expect((await session(turn.session_id))?.messages).toHaveLength(1);
    const acks = (await calls('xack')) - acksBefore;
    // `drained()` reads nothing itself; the consumer's next blocking read may have started (one more).
    const reads = (await calls('xreadgroup')) - readsBefore;
    expect(acks).toBeLessThanOrEqual(3); // one per batch: one or two batches, three on a slow machine
    expect(reads).toBeLessThanOrEqual(2 * acks + 1); // before: a read per entry or two, 6–10 here
  }, 30_000);

  it('moves an event that cannot be written to the dead-letter stream, without holding up the others', async () => {
    const poison = startedTurn({ created_at: 'not a date' });
    const good = startedTurn();
    await addStarted(poison);
    await redis.xadd(keys.turnEvents(), '*', 'kind', 'nonsense');
    await addStarted(good);
    await addFinished(finishedTurn(good));

    // The good turn is stored at once, not after the poison's retries.
    await until(async () => ((await session(good.session_id))?.messages.length === 2 ? true : undefined), 5_000, 'the good turn stored');
    const dead = await until(
      async () => {
        const entries = await redis.xrange(keys.turnEventDeadLetters(), '-', '+');
        return entries.length === 2 ? entries.map(([, fields]) => Object.fromEntries(fields.flatMap((f, i) => (i % 2 === 0 ? [[f, fields[i + 1]]] : [])))) : undefined;
      },
      20_000,
      'two dead letters',
    );
    expect(dead[0]).toMatchObject({ kind: 'nonsense', error: expect.stringContaining('unreadable') });
    expect(dead[1]).toMatchObject({ kind: TurnEventKind.TurnStarted, error: expect.stringContaining(`${MAX_DELIVERIES} deliveries`) });
    expect(Number(dead[1].deliveries)).toBeGreaterThan(MAX_DELIVERIES);
    expect(JSON.parse(dead[1].turn)).toMatchObject({ stream_id: poison.stream_id });
    await drained();
    expect(await session(poison.session_id)).toBeUndefined();
  }, 60_000);
});
