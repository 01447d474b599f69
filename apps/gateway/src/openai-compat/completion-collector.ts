import type { MessageEvent } from '@nestjs/common';
import type { ChunkEventData, DoneEventData, ErrorEventData } from '@app/contracts';
import type { Observable, Subscription } from 'rxjs';
import { TurnFailedError } from './openai-error.filter.js';

export interface CollectedReply {
  text: string;
  done: DoneEventData;
}

/**
 * Reads a turn to its end for a non-streamed completion. `onAbandoned` runs when `stop()` is
 * called before the end (the client left): the caller cancels the turn.
 */
export function collectReply(events: Observable<MessageEvent>, onAbandoned: () => void): { reply: Promise<CollectedReply>; stop: () => void } {
  let ended = false;
  let text = '';
  let stop = () => undefined as void;
  const reply = new Promise<CollectedReply>((resolve, reject) => {
    const held: { subscription?: Subscription } = {}; // finish may run before subscribe returns
    const finish = (outcome: () => void) => {
      ended = true;
      held.subscription?.unsubscribe();
      outcome();
    };
    const subscription = events.subscribe({
      next: (event) => {
        if (event.comment !== undefined) return;
        if (event.type === undefined) text += (JSON.parse(event.data as string) as ChunkEventData).text;
        else if (event.type === 'done') finish(() => resolve({ text, done: JSON.parse(event.data as string) as DoneEventData }));
        else if (event.type === 'error') {
          const error = JSON.parse(event.data as string) as ErrorEventData;
          finish(() => reject(new TurnFailedError(error.code, error.message)));
        }
      },
      error: () => finish(() => reject(new TurnFailedError('stream_interrupted', 'Stream interrupted'))),
      complete: () => {
        if (!ended) finish(() => reject(new TurnFailedError('stream_interrupted', 'Stream interrupted')));
      },
    });
    held.subscription = subscription;
    if (ended) subscription.unsubscribe(); // it ended while subscribing
    stop = () => {
      if (ended) return;
      ended = true;
      subscription.unsubscribe();
      onAbandoned();
      reject(new TurnFailedError('client_gone', 'The client left'));
    };
  });
  return { reply, stop };
}
