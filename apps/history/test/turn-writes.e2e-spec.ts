import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { TurnFinishedData, TurnStartedData } from '@app/contracts';
import { loadConfig } from '@app/platform';
import { Logger } from '@nestjs/common';
import { DatabaseService } from '../src/database/database.service.js';
import { SessionRepository } from '../src/sessions/session.repository.js';
import { TurnRepository } from '../src/turns/turn.repository.js';
import { databaseKinds, TestDatabase } from '../../../test/support/test-database.js';

// Turns begin in the past, so that a session deleted now was deleted after they began.
let clock = Date.now() - 86_400_000;

function startedTurn(overrides: Partial<TurnStartedData> = {}): TurnStartedData {
  clock += 1_000;
  return {
    stream_id: randomUUID(),
    session_id: randomUUID(),
    user_id: 'alice',
    message: `Question asked at ${clock}`,
    created_at: new Date(clock).toISOString(),
    ...overrides,
  };
}

function finishedTurn(started: TurnStartedData, overrides: Partial<TurnFinishedData> = {}): TurnFinishedData {
  return {
    ...started,
    content: `An answer to: ${started.message}`,
    status: 'completed',
    elp: null,
    stats: null,
    sources: [{ title: 'JSON', ref: 'kb/json.md' }],
    finished_at: new Date(Date.parse(started.created_at) + 500).toISOString(),
    ...overrides,
  };
}

describe.each(databaseKinds())('turn writes on %s', (kind) => {
  let testDb: TestDatabase;
  let database: DatabaseService;
  let turns: TurnRepository;
  let sessions: SessionRepository;
  let transactions: ReturnType<typeof jest.spyOn>;

  beforeAll(async () => {
    Logger.overrideLogger(['error', 'warn']);
    testDb = await TestDatabase.create(kind);
    const config = loadConfig('history', testDb.env);
    database = new DatabaseService(config);
    await database.open();
    turns = new TurnRepository(database);
    sessions = new SessionRepository(database);
    transactions = jest.spyOn(database.db, 'transaction');
  }, 60_000);

  afterAll(async () => {
    await database?.onApplicationShutdown();
    await testDb?.dispose();
  });

  /** Every stored message id of these streams, with how many times it is stored. */
  async function storedMessages(streamIds: string[]): Promise<Map<string, number>> {
    const rows = await database.db.selectFrom('messages').select('message_id').where('stream_id', 'in', streamIds).execute();
    const counts = new Map<string, number>();
    for (const { message_id } of rows) counts.set(message_id, (counts.get(message_id) ?? 0) + 1);
    return counts;
  }

  async function activeStream(sessionId: string): Promise<string | null | undefined> {
    return (await sessions.history(sessionId))?.active_stream_id;
  }

  it('writes concurrent turns in fewer transactions than calls, each message exactly once', async () => {
    const started = Array.from({ length: 40 }, () => startedTurn());
    const finished = started.map((s) => finishedTurn(s));
    const streamIds = started.map((s) => s.stream_id);

    transactions.mockClear();
    expect(await Promise.all(started.map((t) => turns.recordStarted(t)))).toEqual(started.map(() => 'stored'));
    expect(transactions.mock.calls.length).toBeLessThan(started.length / 4);
    expect(await Promise.all(started.map((t) => activeStream(t.session_id)))).toEqual(streamIds);

    transactions.mockClear();
    expect(await Promise.all(finished.map((t) => turns.recordFinished(t)))).toEqual(finished.map(() => 'stored'));
    expect(transactions.mock.calls.length).toBeLessThan(finished.length / 4);

    // At-least-once delivery: every job again, all at once.
    const retried = await Promise.all([...started.map((t) => turns.recordStarted(t)), ...finished.map((t) => turns.recordFinished(t))]);
    expect(retried.every((r) => r === 'stored')).toBe(true);

    const stored = await storedMessages(streamIds);
    expect(stored.size).toBe(2 * started.length);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    expect(await Promise.all(started.map((t) => activeStream(t.session_id)))).toEqual(started.map(() => null));
    const history = await sessions.history(started[0].session_id);
    expect(history?.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', started[0].message],
      ['assistant', finished[0].content],
    ]);
  });

  it('leaves no active stream when a turn started and finished in one batch, in either order', async () => {
    const inOrder = startedTurn();
    const reversed = startedTurn();
    await Promise.all([
      turns.recordStarted(inOrder),
      turns.recordFinished(finishedTurn(inOrder)),
      turns.recordFinished(finishedTurn(reversed)),
      turns.recordStarted(reversed),
    ]);
    expect(await activeStream(inOrder.session_id)).toBeNull();
    expect(await activeStream(reversed.session_id)).toBeNull();
    expect((await storedMessages([inOrder.stream_id, reversed.stream_id])).size).toBe(4);
  });

  it('leaves no active stream when a turn started is written after its finished', async () => {
    const turn = startedTurn();
    expect(await turns.recordFinished(finishedTurn(turn))).toBe('stored');
    expect(await turns.recordStarted(turn)).toBe('stored');
    expect(await activeStream(turn.session_id)).toBeNull();
  });

  it('keeps a newer running turn active when an older turn of the session finishes in the same batch', async () => {
    const older = startedTurn();
    await turns.recordStarted(older);
    const newer = startedTurn({ session_id: older.session_id });
    await Promise.all([turns.recordStarted(newer), turns.recordFinished(finishedTurn(older))]);
    expect(await activeStream(older.session_id)).toBe(newer.stream_id);

    const third = startedTurn({ session_id: older.session_id });
    await Promise.all([turns.recordFinished(finishedTurn(newer)), turns.recordStarted(third)]);
    expect(await activeStream(older.session_id)).toBe(third.stream_id);
    expect((await sessions.history(older.session_id))?.messages).toHaveLength(5);
  });

  it("skips a turn on another user's session even when that session is created in the same batch", async () => {
    const alices = startedTurn();
    const bobs = startedTurn({ session_id: alices.session_id, user_id: 'bob' });
    expect(await Promise.all([turns.recordStarted(alices), turns.recordStarted(bobs), turns.recordFinished(finishedTurn(bobs))])).toEqual([
      'stored',
      'skipped',
      'skipped',
    ]);
    const history = await sessions.history(alices.session_id);
    expect(history?.user_id).toBe('alice');
    expect(history?.messages.map((m) => m.stream_id)).toEqual([alices.stream_id]);
  });

  it('skips a turn that began before its session was deleted, and stores one that began after', async () => {
    const first = startedTurn();
    await turns.recordFinished(finishedTurn(first));
    expect(await sessions.delete(first.session_id)).toBe(true);
    const late = startedTurn({ session_id: first.session_id });
    const after = startedTurn({ session_id: first.session_id, created_at: new Date(Date.now() + 60_000).toISOString() });
    expect(await Promise.all([turns.recordFinished(finishedTurn(late)), turns.recordStarted(after)])).toEqual(['skipped', 'stored']);
    expect((await sessions.history(first.session_id))?.messages.map((m) => m.stream_id)).toEqual([after.stream_id]);
  });

  it('fails only the bad write of a batch: the others are written one by one', async () => {
    const good = Array.from({ length: 6 }, () => startedTurn());
    const bad = startedTurn({ created_at: 'not a date' });
    const writes = [...good.slice(0, 3), bad, ...good.slice(3)];
    transactions.mockClear();
    const settled = await Promise.allSettled(writes.map((t) => turns.recordStarted(t)));
    expect(settled.map((s) => s.status)).toEqual(writes.map((t) => (t === bad ? 'rejected' : 'fulfilled')));
    expect(transactions.mock.calls.length).toBe(1 + writes.length);
    const stored = await storedMessages(writes.map((t) => t.stream_id));
    expect([...stored.keys()].sort()).toEqual(good.map((t) => `${t.stream_id}:user`).sort());
    expect(await activeStream(bad.session_id)).toBeUndefined();
  });
});
