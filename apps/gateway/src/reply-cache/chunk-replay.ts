import { ELP_SNAPSHOT_EVERY, type DoneStatus, type ElpSnapshotData } from '@app/contracts';
import { ElpAccumulator } from '@app/elp';
import { Pacer, type PacingClock } from '@app/pacing';
import { AppendResult, type AppendListener, type StreamStore } from '@app/stream-store';
import { untilRedisAnswers } from './until-redis-answers.js';

/** What a replay's chunks did. */
export interface PlayedChunks {
  /**
   * `completed`: every chunk is in the stream; `cancelled`: the chunk script refused one (a cancel,
   * or no client left on any gateway); `ended elsewhere`: someone else ended the stream.
   */
  outcome: DoneStatus | 'ended elsewhere';
  text: string;
  sent: number;
  /** The ELP of what was sent, when it was worked out along the way (the entry had no snapshots). */
  elp?: ElpAccumulator;
  /** Epoch ms the first chunk went out. */
  firstChunkAt?: number;
}

/**
 * Plays a cached reply's words into its stream as a generator would: each through the chunk script
 * (the first at once, then one per pacing interval), a running ELP snapshot every
 * `ELP_SNAPSHOT_EVERY` chunks (the generator's own, kept with the entry; worked out here for an
 * entry written without them). Driven by callbacks (the pacing clock's, and the append's answer
 * through `appended`) rather than by an `await` chain: every chunk of every cached reply passes
 * here, and the two awaits and the promises of a chunk were a kilobyte and a half of garbage each.
 * A Redis failure is retried (`untilRedisAnswers`); `play` rejects when it outlasts the retries.
 */
export class ChunkReplay implements AppendListener<AppendResult> {
  readonly played: PlayedChunks = { outcome: 'completed', text: '', sent: 0 };
  private readonly pacer: Pacer;
  /** The generator's snapshots, when the entry has them all; else they are worked out here. */
  private readonly snapshots?: readonly ElpSnapshotData[];
  private settle?: { resolve: (played: PlayedChunks) => void; reject: (err: Error) => void };

  /** `onFirstChunk`: called once the first chunk is in the stream. */
  constructor(
    private readonly store: StreamStore,
    private readonly streamId: string,
    private readonly words: readonly string[],
    snapshots: readonly ElpSnapshotData[] | undefined,
    pacing: { intervalMs: number; clock: PacingClock },
    private readonly onFirstChunk: () => void,
    firstChunkAt?: number,
  ) {
    // No abort signal: a cancel reaches a replay through the chunk script's answer.
    this.pacer = new Pacer(pacing.intervalMs, pacing.clock);
    this.played.firstChunkAt = firstChunkAt;
    if (hasEverySnapshot(snapshots, words.length)) this.snapshots = snapshots;
    else this.played.elp = new ElpAccumulator();
  }

  /** Plays every word; one promise for the whole reply. */
  play(): Promise<PlayedChunks> {
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      if (this.words.length === 0) this.end();
      else this.pacer.whenDue(this.send);
    });
  }

  appended(result: AppendResult): void {
    const played = this.played;
    if (result === AppendResult.Finished) return this.end('ended elsewhere');
    // AlreadyThere: an append whose answer was lost in an outage had landed.
    if (result !== AppendResult.Appended && result !== AppendResult.AlreadyThere) return this.end('cancelled');
    const word = this.words[played.sent];
    if (played.sent === 0) {
      played.firstChunkAt ??= Date.now();
      this.onFirstChunk();
    }
    played.sent += 1;
    played.text += word;
    played.elp?.push(word);
    const then = played.sent === this.words.length ? this.end : this.next;
    if (played.sent % ELP_SNAPSHOT_EVERY !== 0) return then();
    const snapshot = this.snapshots?.[played.sent / ELP_SNAPSHOT_EVERY - 1] ?? { seq: played.sent, ...played.elp!.snapshot() };
    untilRedisAnswers(() => this.store.publishElp(this.streamId, snapshot)).then(() => then(), this.fail);
  }

  /** Redis did not take the chunk: it is sent again until Redis answers, or the replay fails. */
  appendFailed(): void {
    const seq = this.played.sent + 1;
    const word = this.words[this.played.sent];
    untilRedisAnswers(() => this.store.append(this.streamId, seq, word)).then((result) => this.appended(result), this.fail);
  }

  private readonly send = (): void => {
    const sent = this.played.sent;
    this.store.appendThen(this.streamId, sent + 1, this.words[sent], this);
  };

  private readonly next = (): void => this.pacer.whenDue(this.send);

  private readonly end = (outcome: PlayedChunks['outcome'] = 'completed'): void => {
    this.played.outcome = outcome;
    this.pacer.dispose();
    this.settle?.resolve(this.played);
  };

  private readonly fail = (err: Error): void => {
    this.pacer.dispose();
    this.settle?.reject(err);
  };
}

/** Whether `snapshots` holds the one of every `ELP_SNAPSHOT_EVERY`-th chunk of a reply of `chunks`, in order. */
function hasEverySnapshot(snapshots: readonly ElpSnapshotData[] | undefined, chunks: number): snapshots is readonly ElpSnapshotData[] {
  if (!Array.isArray(snapshots) || snapshots.length !== Math.floor(chunks / ELP_SNAPSHOT_EVERY)) return false;
  return snapshots.every((snapshot, i) => snapshot?.seq === (i + 1) * ELP_SNAPSHOT_EVERY);
}
