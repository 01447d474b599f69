import { describe, expect, it } from '@jest/globals';
import type { MessageEvent } from '@nestjs/common';
import { Subject } from 'rxjs';
import { completionEvents } from './completion-events.js';

const context = { id: 'chatcmpl-s', created: 1, model: 'builtin', promptTokens: 3, maxChunks: 2 };
const done = (chunks: number) => JSON.stringify({ chunks, status: 'completed' });

function run(includeUsage: boolean) {
  const native = new Subject<MessageEvent>();
  const out: string[] = [];
  let abandoned = 0;
  const subscription = completionEvents(native, context, { includeUsage, onAbandoned: () => abandoned++ }).subscribe((e) =>
    out.push(e.comment !== undefined ? `:${e.comment}` : (e.data as string)),
  );
  return { native, out, abandoned: () => abandoned, subscription };
}

describe('completionEvents', () => {
  it('maps meta, chunks and done to chat.completion.chunk objects, then usage and [DONE]', () => {
    const { native, out, abandoned } = run(true);
    native.next({ type: 'meta', id: '0', data: '{}' });
    native.next({ id: '1', data: '{"text":"Hello ","seq":1}' });
    native.next({ type: 'elp', id: '1', data: '{}' });
    native.next({ comment: 'keep-alive', data: undefined as unknown as string });
    native.next({ id: '2', data: '{"text":"there","seq":2}' });
    native.next({ type: 'done', id: '2', data: done(2) });
    expect(out.at(-1)).toBe('[DONE]');
    expect(out[2]).toBe(':keep-alive');
    const objects = out.filter((d) => d.startsWith('{')).map((d) => JSON.parse(d));
    expect(objects.map((o) => o.choices[0]?.delta ?? null)).toEqual([{ role: 'assistant', content: '' }, { content: 'Hello ' }, { content: 'there' }, {}, null]);
    expect(objects[3].choices[0].finish_reason).toBe('length'); // 2 chunks reached max_tokens 2
    expect(objects[4].usage).toEqual({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    expect(objects.slice(0, 4).every((o) => o.usage === null)).toBe(true);
    expect(abandoned()).toBe(0);
  });

  it('ends with an error object (no [DONE]) on an error event', () => {
    const { native, out } = run(false);
    native.next({ type: 'error', id: '0', data: JSON.stringify({ code: 'generation_failed', message: 'no', retryable: true }) });
    expect(out.map((d) => JSON.parse(d))).toEqual([{ error: { message: 'no', type: 'server_error', param: null, code: 'generation_failed' } }]);
  });

  it('reports a client that leaves before the end, and only then', () => {
    const early = run(false);
    early.native.next({ type: 'meta', id: '0', data: '{}' });
    early.subscription.unsubscribe();
    expect(early.abandoned()).toBe(1);
    const finished = run(false);
    finished.native.next({ type: 'done', id: '0', data: done(0) });
    finished.subscription.unsubscribe();
    expect(finished.abandoned()).toBe(0);
  });
});
