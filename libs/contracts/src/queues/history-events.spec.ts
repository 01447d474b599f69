import { describe, expect, it } from '@jest/globals';
import { historyEventFields, HistoryEventKind, parseHistoryEvent, type HistoryEvent } from './history-events.js';

const turn = { stream_id: 's1', session_id: 'sess', user_id: 'u', message: 'Hi', created_at: '2026-01-01T00:00:00.000Z' };

describe('history event entries', () => {
  it('read back what was added', () => {
    const event: HistoryEvent = { kind: HistoryEventKind.TurnStarted, turn };
    expect(parseHistoryEvent(historyEventFields(event))).toEqual(event);
  });

  it('refuse entries no generator writes', () => {
    expect(() => parseHistoryEvent(['kind', 'nonsense'])).toThrow('unknown history event kind');
    expect(() => parseHistoryEvent(['kind', HistoryEventKind.TurnFinished, 'turn', '{}'])).toThrow('without a turn');
    expect(() => parseHistoryEvent(['kind', HistoryEventKind.TurnFinished, 'turn', '{'])).toThrow();
  });
});
