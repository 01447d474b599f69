import { describe, expect, it } from '@jest/globals';
import type { TurnFinishedData, TurnStartedData } from '@app/contracts';
import { planTurnWrites, type StoredTurnState, type TurnWrite } from './turn-write-plan.js';

const started = (overrides: Partial<TurnStartedData> = {}): TurnStartedData => ({
  stream_id: 'stream-1',
  session_id: 'session-1',
  user_id: 'alice',
  message: 'How do I configure Redis?',
  created_at: '2026-01-01T10:00:00.000Z',
  ...overrides,
});

const finished = (overrides: Partial<TurnFinishedData> = {}): TurnFinishedData => ({
  ...started(),
  content: 'Set REDIS_URL.',
  status: 'completed',
  elp: null,
  stats: null,
  sources: [],
  finished_at: '2026-01-01T10:00:05.000Z',
  ...overrides,
});

const startedWrite = (overrides: Partial<TurnStartedData> = {}): TurnWrite => ({ kind: 'started', turn: started(overrides) });
const finishedWrite = (overrides: Partial<TurnFinishedData> = {}): TurnWrite => ({ kind: 'finished', turn: finished(overrides) });

const nothingStored: StoredTurnState = { owner: null, deletedAt: null, replyStored: false };
const stored = (overrides: Partial<StoredTurnState> = {}): StoredTurnState => ({ ...nothingStored, ...overrides });

describe('planTurnWrites', () => {
  it('stores a started turn as its user message and makes its stream the session’s active one', () => {
    const plan = planTurnWrites([startedWrite()], [nothingStored]);
    expect(plan.results).toEqual(['stored']);
    expect(plan.messages.map((m) => [m.message_id, m.role, m.content])).toEqual([['stream-1:user', 'user', 'How do I configure Redis?']]);
    expect(plan.sessionWaves).toEqual([
      { rows: [expect.objectContaining({ session_id: 'session-1', user_id: 'alice', active_stream_id: 'stream-1', last_activity: '2026-01-01T10:00:00.000Z' })], endedStreams: [] },
    ]);
  });

  it('stores a finished turn whole (user and assistant messages) and ends its stream', () => {
    const plan = planTurnWrites([finishedWrite({ elp: { ethos: 1, logos: 2, pathos: 3, flux_position: 0.5, confidence: 0.9 } })], [nothingStored]);
    expect(plan.results).toEqual(['stored']);
    expect(plan.messages.map((m) => m.message_id)).toEqual(['stream-1:user', 'stream-1:assistant']);
    const reply = plan.messages[1];
    expect(reply).toMatchObject({ role: 'assistant', content: 'Set REDIS_URL.', status: 'completed', confidence: 0.9, created_at: '2026-01-01T10:00:05.000Z', sources: '[]' });
    expect(plan.sessionWaves[0].rows[0]).toMatchObject({ active_stream_id: null, last_activity: '2026-01-01T10:00:05.000Z' });
    expect(plan.sessionWaves[0].endedStreams).toEqual(['stream-1']);
  });

  it('skips a turn of a session another user owns', () => {
    const plan = planTurnWrites([startedWrite()], [stored({ owner: 'bob' })]);
    expect(plan).toEqual({ results: ['skipped'], sessionWaves: [], messages: [] });
  });

  it('skips a turn that began before its session was deleted, and keeps one that began after', () => {
    const deletedAt = '2026-01-01T10:00:00.000Z';
    const plan = planTurnWrites(
      [startedWrite(), startedWrite({ stream_id: 'stream-2', created_at: '2026-01-01T10:00:01.000Z' })],
      [stored({ owner: 'alice', deletedAt }), stored({ owner: 'alice', deletedAt: new Date(deletedAt) })],
    );
    expect(plan.results).toEqual(['skipped', 'stored']);
  });

  it('sees the writes before it in the batch: a session an earlier write created is owned', () => {
    const plan = planTurnWrites([startedWrite(), startedWrite({ stream_id: 'stream-2', user_id: 'bob' })], [nothingStored, nothingStored]);
    expect(plan.results).toEqual(['stored', 'skipped']);
  });

  it('ends the stream of a "started" that arrives after its "finished", in the batch or already stored', () => {
    const inBatch = planTurnWrites([finishedWrite(), startedWrite()], [nothingStored, nothingStored]);
    expect(inBatch.results).toEqual(['stored', 'stored']);
    expect(inBatch.sessionWaves.flatMap((wave) => wave.rows).map((row) => row.active_stream_id)).toEqual([null, null]);
    expect(inBatch.sessionWaves.map((wave) => wave.endedStreams)).toEqual([['stream-1'], ['stream-1']]);

    const afterStored = planTurnWrites([startedWrite()], [stored({ owner: 'alice', replyStored: true })]);
    expect(afterStored.sessionWaves[0].rows[0].active_stream_id).toBeNull();
    expect(afterStored.sessionWaves[0].endedStreams).toEqual(['stream-1']);
  });

  it('puts the k-th upsert of a session in wave k, so a wave never names a session twice', () => {
    const plan = planTurnWrites(
      [startedWrite(), startedWrite({ session_id: 'session-2', stream_id: 'stream-2' }), finishedWrite()],
      [nothingStored, nothingStored, nothingStored],
    );
    expect(plan.sessionWaves.map((wave) => wave.rows.map((row) => row.session_id))).toEqual([['session-1', 'session-2'], ['session-1']]);
    // Each wave names the streams its own rows end.
    expect(plan.sessionWaves.map((wave) => wave.endedStreams)).toEqual([[], ['stream-1']]);
  });

  it('titles the session with the first non-blank line of the message, cut at 80 characters', () => {
    const long = 'x'.repeat(100);
    expect(planTurnWrites([startedWrite({ message: '\n  \n  First line  \nsecond' })], [nothingStored]).sessionWaves[0].rows[0].title).toBe('First line');
    const title = planTurnWrites([startedWrite({ message: long })], [nothingStored]).sessionWaves[0].rows[0].title as string;
    expect(title).toHaveLength(80);
    expect(title.endsWith('…')).toBe(true);
  });

  it('stores the metadata of each message as JSON, and none when there is none', () => {
    const plan = planTurnWrites([finishedWrite({ metadata: { pii: [] }, reply_metadata: { injection: { flagged: false } } })], [nothingStored]);
    expect(plan.messages.map((m) => m.metadata)).toEqual(['{"pii":[]}', '{"injection":{"flagged":false}}']);
    expect(planTurnWrites([startedWrite()], [nothingStored]).messages[0].metadata).toBeNull();
  });
});
