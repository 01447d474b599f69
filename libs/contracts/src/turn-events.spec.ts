import { describe, expect, it } from '@jest/globals';
import { turnEventFields, TurnEventKind, parseTurnEvent, type TurnEvent } from './turn-events.js';

const turn = { stream_id: 's1', session_id: 'sess', user_id: 'u', message: 'Hi', created_at: '2026-01-01T00:00:00.000Z' };

describe('history event entries', () => {
  it('read back what was added', () => {
    const event: TurnEvent = { kind: TurnEventKind.TurnStarted, turn };
    expect(parseTurnEvent(turnEventFields(event))).toEqual(event);
  });

  it('refuse entries no generator writes', () => {
    expect(() => parseTurnEvent(['kind', 'nonsense'])).toThrow('unknown history event kind');
    expect(() => parseTurnEvent(['kind', TurnEventKind.TurnFinished, 'turn', '{}'])).toThrow('without a turn');
    expect(() => parseTurnEvent(['kind', TurnEventKind.TurnFinished, 'turn', '{'])).toThrow();
  });
});
