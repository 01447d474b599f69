import { ELP_SNAPSHOT_EVERY, type ElpSnapshotData } from '@app/contracts';
import type { ElpAccumulator } from '@app/elp';
import { PiiStreamRedactor } from '@app/guardrails';
import type { Pacer } from '@app/pacing';
import { AppendResult, type AppendListener, type StreamStore } from '@app/stream-store';
import { WordChunker } from './word-chunker.js';

/** Every word this attempt produced, as text, as chunks, and analysed as it went. */
export interface StreamedReply {
  text: string;
  words: string[];
  elp: ElpAccumulator;
  /** The running ELP every `ELP_SNAPSHOT_EVERY` words, as published (and kept with a cached reply). */
  snapshots: ElpSnapshotData[];
}

/** The chunks of a stream's log as one text; `complete` when it is known without reading the log. */
export interface SentReply {
  text: string;
  chunks: number;
  complete: boolean;
}

/**
 * How a reply's streaming ended: `complete`, every word is in the log; `limit`, the reply reached
 * the request's `max_tokens` (docs/api.md §13); `refused`, the chunk script took no more (the
 * stream is cancelling, abandoned or finished: `result` says which); `aborted`, the job's signal.
 */
export type StreamingEnd = { end: 'complete' | 'limit' | 'aborted' } | { end: 'refused'; result: AppendResult };

export interface ReplyStreamerOptions {
  streamId: string;
  /** Chunks the log held when this attempt began: a deterministic provider's first words are skipped up to there. */
  published: number;
  /** The seq of the first word (after `published` when the provider continues a partial reply). */
  firstSeq: number;
  maxChunks?: number;
  /** Redact PII from the text before it is chunked, so that what is streamed is what is stored. */
  redactor?: PiiStreamRedactor;
  signal: AbortSignal;
  /** Called once the first chunk is in the log. */
  onFirstChunk: () => void;
}

/**
 * Streams a provider's reply into its stream: the text, re-chunked into words, each appended
 * through the chunk script at the pacing clock's time (the first at once), a running ELP snapshot
 * published every `ELP_SNAPSHOT_EVERY` words.
 *
 * Driven by callbacks (the pacing clock's, and the append's answer through `appended`) rather than
 * by an `await` chain per word: every chunk of every stream passes here, and a word's awaits (the
 * pacer's, the append's, the loop's own) were three promises and three resumptions each. The
 * provider's text is read as it comes, ahead of the pacing; its errors surface once the words read
 * before them are sent, as they did when the loop read and sent in turn.
 */
export class ReplyStreamer implements AppendListener<AppendResult> {
  readonly streamed: StreamedReply;
  /** What the log holds, while every chunk in it is one this attempt appended. */
  readonly logged: SentReply;
  private readonly words: string[] = [];
  /** The seq of the last word read from the provider (an earlier attempt's included). */
  get lastSeq(): number {
    return this.seq;
  }
  private seq: number;
  /** The word waiting for the pacer or for its append's answer. */
  private sending = '';
  /** The running ELP snapshot due after the last appended chunk: it goes out with the next one. */
  private elpDue?: ElpSnapshotData;
  private readDone = false;
  private readError?: Error;
  /** Waiting for the provider: the next word to come starts the next send. */
  private idle = true;
  private ended = false;
  private settle!: { resolve: (end: StreamingEnd) => void; reject: (err: Error) => void };

  constructor(
    private readonly store: StreamStore,
    private readonly pacer: Pacer,
    streamed: StreamedReply,
    private readonly options: ReplyStreamerOptions,
  ) {
    this.streamed = streamed;
    this.seq = options.firstSeq - 1;
    this.logged = { text: '', chunks: 0, complete: options.published === 0 };
  }

  /** Streams `text` to its end (or until it stops); rejects on a provider's or Redis's failure. */
  stream(text: AsyncIterable<string>): Promise<StreamingEnd> {
    const done = new Promise<StreamingEnd>((resolve, reject) => (this.settle = { resolve, reject }));
    const { signal } = this.options;
    if (signal.aborted) this.end({ end: 'aborted' });
    else signal.addEventListener('abort', this.abort, { once: true });
    void this.read(text);
    return done;
  }

  appended(result: AppendResult): void {
    if (this.ended) return;
    if (result === AppendResult.Appended) {
      if (this.logged.chunks === 0) this.options.onFirstChunk();
      this.logged.text += this.sending;
      this.logged.chunks = this.seq;
    } else if (result === AppendResult.AlreadyThere) this.logged.complete = false; // another attempt wrote it
    else return this.end({ end: 'refused', result });
    if (this.seq % ELP_SNAPSHOT_EVERY === 0) this.elpDue = this.streamed.snapshots.at(-1);
    this.next();
  }

  appendFailed(err: Error): void {
    this.fail(err);
  }

  /** Reads the provider's text into words as it comes; stops reading once streaming has ended. */
  private async read(text: AsyncIterable<string>): Promise<void> {
    const { redactor } = this.options;
    const chunker = new WordChunker();
    try {
      for await (const piece of text) {
        this.take(chunker.push(redactor ? redactor.push(piece) : piece));
        if (this.ended) return; // leaving the loop ends the provider's request
      }
      this.take(chunker.push(redactor?.flush() ?? ''));
      this.take(chunker.flush());
    } catch (err) {
      this.readError = err as Error;
    }
    this.readDone = true;
    if (this.idle) this.next();
  }

  private take(words: readonly string[]): void {
    if (words.length === 0) return;
    for (const word of words) this.words.push(word);
    if (this.idle) this.next();
  }

  /**
   * The next word to send: words an earlier attempt sent are only counted; the next one waits for
   * the pacer. With no word read yet, the reader's next word (or end) calls this again.
   */
  private readonly next = (): void => {
    if (this.ended) return;
    const { maxChunks, published } = this.options;
    while (this.words.length > 0) {
      // A word beyond the limit ends the reply there, completed (and the provider's request with it).
      if (maxChunks !== undefined && this.seq >= maxChunks) return this.end({ end: 'limit' });
      const word = this.words.shift()!;
      this.seq += 1;
      this.record(word);
      if (this.seq <= published) continue; // an earlier attempt sent it
      this.idle = false;
      this.sending = word;
      this.pacer.whenDue(this.send);
      return;
    }
    this.idle = true;
    if (!this.readDone) return;
    if (this.readError) this.fail(this.readError);
    else this.end({ end: 'complete' });
  };

  /**
   * Appends the word, and publishes the ELP snapshot due ahead of it in the same socket write: a
   * write of its own per snapshot was, with ~80 streams per pacing slot, one more write and
   * wake-up of Redis in nearly every slot. Clients get it one pacing interval later, still between
   * the chunk it describes and the next.
   */
  private readonly send = (): void => {
    if (this.ended) return;
    const elp = this.elpDue;
    this.elpDue = undefined;
    this.store.appendThen(this.options.streamId, this.seq, this.sending, this, elp);
  };

  private record(word: string): void {
    const streamed = this.streamed;
    streamed.text += word;
    streamed.words.push(word);
    streamed.elp.push(word);
    if (this.seq % ELP_SNAPSHOT_EVERY === 0) streamed.snapshots.push({ seq: this.seq, ...streamed.elp.snapshot() });
  }

  private readonly abort = (): void => this.end({ end: 'aborted' });

  private end(end: StreamingEnd): void {
    if (!this.stop()) return;
    // The last chunk's snapshot, with no next chunk to go with: ahead of `done`, which follows it on this connection.
    if (this.elpDue) this.store.publishElp(this.options.streamId, this.elpDue).catch(() => undefined);
    this.settle.resolve(end);
  }

  private readonly fail = (err: Error): void => {
    if (this.stop()) this.settle.reject(err);
  };

  /** Ends streaming once: false when it had ended already. */
  private stop(): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.options.signal.removeEventListener('abort', this.abort);
    return true;
  }
}
