import { beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { type ContextTurnData, type DoneEventData, type ErrorEventData, type GenerateJobData, type TurnFinishedData, type TurnStartedData } from '@app/contracts';
import { loadConfig, type HistoryClient } from '@app/platform';
import type { Job } from 'bullmq';
import type { ChatProvider, ProviderInput } from '../providers/chat-provider.js';
import { ProviderError } from '../providers/provider-error.js';
import { GenerateJob } from './generate.job.js';
import { PacingClock } from '@app/pacing';
import type { ReplyCache } from '@app/reply-cache';
import { AppendResult, EntryKind, type AppendListener, type StreamIds, type StreamStore } from '@app/stream-store';
import type { TurnRecorder } from '@app/turn-events';

// The job's logic against in-memory stand-ins of its three I/O boundaries (the stream's log in
// Redis, the turn events, the provider); the real ones are covered by the e2e suites.

/**
 * A stream's log as the chunk script keeps it: seq k is the k-th entry, and a stream that is not
 * running (`status`: cancelling, ended, or null when its meta is gone) takes no chunk.
 */
function memoryWriter(options: { status?: string | null; logged?: string[]; refuseFrom?: { seq: number; result: AppendResult } } = {}) {
  const log = [...(options.logged ?? [])];
  const ends: Array<{ kind: EntryKind; seq: number; data: object; status: string }> = [];
  const released: string[] = [];
  const status = options.status === undefined ? 'running' : options.status;
  /** Reads of the stream's progress, each a round trip to Redis in the real store. */
  const reads = { progress: 0 };
  const writer = {
    progress: async () => {
      reads.progress += 1;
      return { status, published: log.length };
    },
    append: async (_streamId: string, seq: number, text: string) => {
      if (status === 'cancelling') return AppendResult.Cancelling;
      if (status !== 'running') return AppendResult.Finished;
      if (options.refuseFrom && seq >= options.refuseFrom.seq) return options.refuseFrom.result;
      if (seq <= log.length) return AppendResult.AlreadyThere;
      if (seq > log.length + 1) return AppendResult.Gap;
      log.push(text);
      return AppendResult.Appended;
    },
    // The chunk loop's form: the answer goes to a listener.
    appendThen(streamId: string, seq: number, text: string, listener: AppendListener<AppendResult>) {
      writer.append(streamId, seq, text).then(
        (result) => listener.appended(result),
        (err: Error) => listener.appendFailed(err),
      );
    },
    publishElp: async () => undefined,
    sentText: async () => ({ text: log.join(''), chunks: log.length }),
    // The end frees the session's and user's slots with it (StreamStore.finish).
    finish: async ({ streamId }: StreamIds, kind: EntryKind.Done | EntryKind.Error, seq: number, data: object, status: string) => {
      ends.push({ kind, seq, data, status });
      released.push(streamId);
      return true;
    },
  };
  return { writer: writer as unknown as StreamStore, log, ends, released, reads };
}

function memoryTurns(persisted = true) {
  const started: TurnStartedData[] = [];
  const finished: Array<{ turn: TurnFinishedData; retry: boolean }> = [];
  const turns = {
    started: async (turn: TurnStartedData) => {
      started.push(turn);
    },
    finished: async (turn: TurnFinishedData, { retry }: { retry: boolean }) => {
      finished.push({ turn, retry });
      return persisted;
    },
  };
  return { turns: turns as unknown as TurnRecorder, started, finished };
}

/** A provider that answers with `pieces`, then throws `failure` if given. */
function scriptedProvider(pieces: string[], failure?: Error): ChatProvider & { inputs: ProviderInput[] } {
  const inputs: ProviderInput[] = [];
  return {
    name: 'scripted',
    continuesPartialReplies: false,
    inputs,
    async reply(input) {
      inputs.push(input);
      return {
        sources: [{ title: 'Redis', ref: 'redis.md' }],
        text: (async function* () {
          yield* pieces;
          if (failure) throw failure;
        })(),
      };
    },
  };
}

const history = (turns: ContextTurnData[] = []) => ({ context: async () => turns }) as unknown as HistoryClient;

function jobData(overrides: Partial<GenerateJobData> = {}): GenerateJobData {
  return {
    stream_id: '11111111-1111-4111-8111-111111111111',
    session_id: 'session-1',
    user_id: 'alice',
    message: 'How do I configure Redis?',
    context: [],
    created_at: new Date().toISOString(),
    received_at_ms: Date.now(),
    ...overrides,
  };
}

/** `waitedMs`: how long the job waited in the queue before this attempt. */
function bullJob(data: GenerateJobData, attemptsStarted = 1, waitedMs = 5): Job<GenerateJobData> {
  const job = {
    data,
    attemptsStarted,
    timestamp: Date.now() - waitedMs,
    updateData: async (next: GenerateJobData) => {
      job.data = next;
    },
  };
  return job as unknown as Job<GenerateJobData>;
}

/** A cache that stores nothing: these turns are never cache candidates (the jobs carry no ticket). */
const noCache = { store: async () => undefined } as unknown as ReplyCache;

function generateJob(parts: { writer: StreamStore; turns: TurnRecorder; provider: ChatProvider; history?: HistoryClient }) {
  const config = loadConfig('generator', { PACING_MS: '0' });
  return new GenerateJob(config, parts.provider, parts.history ?? history(), parts.writer, parts.turns, new PacingClock(config), noCache);
}

const signal = () => new AbortController().signal;

// The job logs every failure at error level; here they are expected.
beforeAll(() => Logger.overrideLogger(false));

describe('GenerateJob.run', () => {
  it('streams the reply word by word and ends it with done: the stored reply is what the log holds', async () => {
    const { writer, log, ends, released, reads } = memoryWriter();
    const { turns, started, finished } = memoryTurns();
    const job = generateJob({ writer, turns, provider: scriptedProvider(['Set REDIS', '_URL to ', 'your server.']) });

    await expect(job.run(bullJob(jobData()), signal())).resolves.toBe('completed');

    // A first attempt reads nothing before its first chunk: the chunk script checks the stream.
    expect(reads.progress).toBe(0);
    expect(log).toEqual(['Set ', 'REDIS_URL ', 'to ', 'your ', 'server.']);
    expect(started).toHaveLength(1);
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ retry: false, turn: { content: log.join(''), status: 'completed', sources: [{ title: 'Redis', ref: 'redis.md' }] } });
    expect(ends).toHaveLength(1);
    const done = ends[0].data as DoneEventData;
    expect(ends[0]).toMatchObject({ kind: EntryKind.Done, seq: 5, status: 'completed' });
    expect(done).toMatchObject({ status: 'completed', chunks: 5, persisted: true, stats: { tokens: 5 } });
    expect(released).toEqual([jobData().stream_id]);
  });

  it('gives the provider the session’s context, and leaves the job as enqueued', async () => {
    const { writer } = memoryWriter();
    const provider = scriptedProvider(['Yes.']);
    const context: ContextTurnData[] = [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.' }];
    const job = bullJob(jobData({ context: ['a passage'] }));
    await generateJob({ writer, turns: memoryTurns().turns, provider, history: history(context) }).run(job, signal());
    expect(provider.inputs[0]).toEqual({ message: 'How do I configure Redis?', history: context, passages: ['a passage'] });
    expect(job.data.provider_input).toBeUndefined();
  });

  it('keeps a context-free input on the job when the first read fails, and a retry answers from it', async () => {
    const down = { context: async () => Promise.reject(new Error('history down')) } as unknown as HistoryClient;
    const provider = scriptedProvider(['Yes.']);
    const job = bullJob(jobData());
    await generateJob({ writer: memoryWriter().writer, turns: memoryTurns().turns, provider, history: down }).run(job, signal());
    expect(job.data.provider_input).toEqual({ message: 'How do I configure Redis?', history: [], passages: [] });

    // The retry meets history back: it still answers from the input the reply started with.
    const retry = bullJob(job.data, 2);
    const again = scriptedProvider(['Yes.']);
    await generateJob({ writer: memoryWriter().writer, turns: memoryTurns().turns, provider: again, history: history([{ role: 'user', content: 'Hi' }]) }).run(retry, signal());
    expect(again.inputs[0].history).toEqual([]);
  });

  it('fails a retry whose context read fails rather than answer from another input', async () => {
    const down = { context: async () => Promise.reject(new Error('history down')) } as unknown as HistoryClient;
    const { writer, ends } = memoryWriter({ logged: ['one '] });
    const job = bullJob(jobData(), 2);
    await expect(generateJob({ writer, turns: memoryTurns().turns, provider: scriptedProvider(['one two']), history: down }).run(job, signal())).rejects.toThrow('history down');
    expect(ends).toEqual([]);
    expect(job.data.provider_input).toBeUndefined();
  });

  it('ends a reply at max_chunks as completed', async () => {
    const { writer, log, ends } = memoryWriter();
    const job = generateJob({ writer, turns: memoryTurns().turns, provider: scriptedProvider(['one two three four']) });
    await expect(job.run(bullJob(jobData({ completion: { max_chunks: 2 } })), signal())).resolves.toBe('completed');
    expect(log).toEqual(['one ', 'two ']);
    expect(ends[0]).toMatchObject({ kind: EntryKind.Done, seq: 2, status: 'completed' });
  });

  it('finishes as cancelled with the partial reply when the chunk script refuses a chunk of a cancelling stream', async () => {
    const { writer, ends } = memoryWriter({ refuseFrom: { seq: 3, result: AppendResult.Cancelling } });
    const { turns, finished } = memoryTurns();
    const job = generateJob({ writer, turns, provider: scriptedProvider(['one two three four']) });
    await expect(job.run(bullJob(jobData()), signal())).resolves.toBe('cancelled');
    expect(finished[0].turn).toMatchObject({ content: 'one two ', status: 'cancelled' });
    expect(ends[0]).toMatchObject({ kind: EntryKind.Done, seq: 2, status: 'cancelled' });
  });

  it('writes nothing more when another attempt has finished the stream', async () => {
    const { writer, ends, released } = memoryWriter({ refuseFrom: { seq: 1, result: AppendResult.Finished } });
    const job = generateJob({ writer, turns: memoryTurns().turns, provider: scriptedProvider(['one two']) });
    await expect(job.run(bullJob(jobData(), 2), signal())).resolves.toBe('finished elsewhere');
    expect(ends).toEqual([]);
    expect(released).toEqual([]);
  });

  it('does nothing for a stream that is no longer running when a retry starts', async () => {
    const { writer, ends, reads } = memoryWriter({ status: 'completed' });
    const provider = scriptedProvider(['one']);
    await expect(generateJob({ writer, turns: memoryTurns().turns, provider }).run(bullJob(jobData(), 2), signal())).resolves.toBe('already completed');
    expect(reads.progress).toBe(1);
    expect(provider.inputs).toEqual([]);
    expect(ends).toEqual([]);
  });

  it('asks the stream before a first attempt that waited longer than a stream lives, and sends a gone stream no request', async () => {
    const { writer, ends } = memoryWriter({ status: null });
    const provider = scriptedProvider(['one']);
    const waited = loadConfig('generator', {}).STREAM_REPLAY_TTL_S * 1000 + 1_000;
    await expect(generateJob({ writer, turns: memoryTurns().turns, provider }).run(bullJob(jobData(), 1, waited), signal())).resolves.toBe('already expired');
    expect(provider.inputs).toEqual([]);
    expect(ends).toEqual([]);
  });

  it('records nothing when a first attempt’s stream is gone at its first chunk', async () => {
    const { writer, log, ends, released } = memoryWriter({ status: null });
    const { turns, started, finished } = memoryTurns();
    await expect(generateJob({ writer, turns, provider: scriptedProvider(['one two']) }).run(bullJob(jobData()), signal())).resolves.toBe('not running');
    expect(log).toEqual([]);
    expect(started).toEqual([]);
    expect(finished).toEqual([]);
    expect(ends).toEqual([]);
    expect(released).toEqual([]);
  });

  it('ends a first attempt whose stream was cancelled while its job waited as cancelled, with an empty reply', async () => {
    const { writer, ends } = memoryWriter({ status: 'cancelling' });
    const { turns, finished } = memoryTurns();
    await expect(generateJob({ writer, turns, provider: scriptedProvider(['one two']) }).run(bullJob(jobData()), signal())).resolves.toBe('cancelled');
    expect(finished[0].turn).toMatchObject({ content: '', status: 'cancelled' });
    expect(ends[0]).toMatchObject({ kind: EntryKind.Done, seq: 0, status: 'cancelled' });
  });

  it('on a retry skips the chunks an earlier attempt appended and stores the whole log', async () => {
    const { writer, log, ends } = memoryWriter({ logged: ['one ', 'two '] });
    const { turns, finished } = memoryTurns();
    const data = jobData({ provider_input: { message: 'count', history: [], passages: [] } });
    await expect(generateJob({ writer, turns, provider: scriptedProvider(['one two three']) }).run(bullJob(data, 2), signal())).resolves.toBe('completed');
    expect(log).toEqual(['one ', 'two ', 'three']);
    expect(finished[0]).toMatchObject({ retry: true, turn: { content: 'one two three' } });
    expect(ends[0]).toMatchObject({ seq: 3 });
  });

  it('throws a provider failure so that BullMQ retries the job, ending nothing', async () => {
    const { writer, ends } = memoryWriter();
    const provider = scriptedProvider(['one two '], new Error('connection reset'));
    await expect(generateJob({ writer, turns: memoryTurns().turns, provider }).run(bullJob(jobData()), signal())).rejects.toThrow('connection reset');
    expect(ends).toEqual([]);
  });
});

describe('GenerateJob.fail', () => {
  it('stores the partial reply as failed and ends the stream with generation_failed', async () => {
    const { writer, ends, released } = memoryWriter({ logged: ['one ', 'two '] });
    const { turns, finished } = memoryTurns();
    await generateJob({ writer, turns, provider: scriptedProvider([]) }).fail(jobData(), new Error('boom'));
    expect(finished[0]).toMatchObject({ retry: true, turn: { content: 'one two ', status: 'failed', elp: null, stats: null } });
    expect(ends).toEqual([
      { kind: EntryKind.Error, seq: 2, status: 'failed', data: { code: 'generation_failed', message: 'The reply could not be generated', retryable: true } },
    ]);
    expect(released).toHaveLength(1);
  });

  it('carries a provider error’s own code, retryable unless another attempt would fail the same way', async () => {
    const refused = memoryWriter();
    await generateJob({ writer: refused.writer, turns: memoryTurns().turns, provider: scriptedProvider([]) }).fail(jobData(), new ProviderError('upstream_refused', 'the model refused', true));
    expect(refused.ends[0].data as ErrorEventData).toEqual({ code: 'upstream_refused', message: 'the model refused', retryable: false });

    const timeout = memoryWriter();
    await generateJob({ writer: timeout.writer, turns: memoryTurns().turns, provider: scriptedProvider([]) }).fail(jobData(), new ProviderError('upstream_timeout', 'no answer', false));
    expect(timeout.ends[0].data as ErrorEventData).toMatchObject({ code: 'upstream_timeout', retryable: true });
  });

  it('still ends the stream when history cannot take the failed turn', async () => {
    const { writer, ends } = memoryWriter();
    const turns = { finished: async () => Promise.reject(new Error('redis down')) } as unknown as TurnRecorder;
    await generateJob({ writer, turns, provider: scriptedProvider([]) }).fail(jobData(), new Error('boom'));
    expect(ends).toHaveLength(1);
  });
});
