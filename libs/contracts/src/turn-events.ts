import type { TurnFinishedData, TurnStartedData } from './queues/job-payloads.js';

/** The one consumer group that reads the history events stream (every history process joins it). */
export const HISTORY_CONSUMER_GROUP = 'history';

export enum TurnEventKind {
  TurnStarted = 'turn-started',
  TurnFinished = 'turn-finished',
}

/** One entry of the history events stream (`StreamKeys.turnEvents()`), written by a generator. */
export type TurnEvent = { kind: TurnEventKind.TurnStarted; turn: TurnStartedData } | { kind: TurnEventKind.TurnFinished; turn: TurnFinishedData };

/** The entry's field/value list for XADD: the kind, and the turn as JSON. */
export function turnEventFields(event: TurnEvent): [string, string, string, string] {
  return ['kind', event.kind, 'turn', JSON.stringify(event.turn)];
}

/** Reads an entry's field/value list back; throws on an entry no generator could have written. */
export function parseTurnEvent(fields: readonly string[]): TurnEvent {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i], fields[i + 1]);
  const kind = values.get('kind');
  if (kind !== TurnEventKind.TurnStarted && kind !== TurnEventKind.TurnFinished) throw new Error(`unknown history event kind ${String(kind)}`);
  const turn = JSON.parse(values.get('turn') ?? 'null') as TurnStartedData | null;
  if (typeof turn?.stream_id !== 'string' || typeof turn.session_id !== 'string') throw new Error('history event without a turn');
  return { kind, turn } as TurnEvent;
}
