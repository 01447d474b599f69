import type { MessageEvent } from '@nestjs/common';
import type { ChunkEventData, DoneEventData, ErrorEventData } from '@app/contracts';
import { Observable } from 'rxjs';
import { DONE_DATA } from '../sse/data-line-format.js';
import { completionChunk, finishReasonOf, usageChunk, type CompletionContext } from './completion-objects.js';
import { openAiError } from './openai-error.js';

export interface CompletionStreamOptions {
  includeUsage: boolean;
  /** The client left before the turn ended: nobody can resume an OpenAI stream, so the turn is cancelled. */
  onAbandoned: () => void;
}

const streamError = (code: string, message: string) => JSON.stringify(openAiError(500, message, { code }));

/**
 * A turn's native events (docs/api.md §1) as `chat.completion.chunk` objects (§13): `meta` becomes
 * the chunk with `role`, each text chunk one `content` delta, `done` the finish chunk (then the
 * usage chunk if asked) and `[DONE]`; `error` becomes an error object, after which the stream
 * ends without `[DONE]` (as OpenAI does). ELP snapshots are dropped; keep-alive comments stay.
 */
export function completionEvents(events: Observable<MessageEvent>, context: CompletionContext, options: CompletionStreamOptions): Observable<MessageEvent> {
  return new Observable<MessageEvent>((out) => {
    let ended = false;
    const chunk = (delta: { role?: 'assistant'; content?: string }, finish: 'stop' | 'length' | null = null) =>
      out.next({ data: JSON.stringify(completionChunk(context, delta, finish, options.includeUsage)) });
    const end = (last: string[]) => {
      ended = true;
      for (const data of last) out.next({ data });
      out.complete();
    };
    const inner = events.subscribe({
      next: (event) => {
        if (event.comment !== undefined) return out.next(event);
        switch (event.type) {
          case undefined:
            return chunk({ content: (JSON.parse(event.data as string) as ChunkEventData).text });
          case 'meta':
            return chunk({ role: 'assistant', content: '' });
          case 'done': {
            const done = JSON.parse(event.data as string) as DoneEventData;
            chunk({}, finishReasonOf(context, done));
            return end([...(options.includeUsage ? [JSON.stringify(usageChunk(context, done.chunks))] : []), DONE_DATA]);
          }
          case 'error': {
            const error = JSON.parse(event.data as string) as ErrorEventData;
            return end([streamError(error.code, error.message)]);
          }
          default:
            return; // elp snapshots have no place in this protocol
        }
      },
      error: () => end([streamError('stream_interrupted', 'Stream interrupted')]),
      complete: () => {
        if (!ended) end([streamError('stream_interrupted', 'Stream interrupted')]);
      },
    });
    return () => {
      inner.unsubscribe();
      if (!ended) options.onAbandoned();
    };
  });
}
