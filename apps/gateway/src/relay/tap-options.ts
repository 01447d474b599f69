import type { MetaEventData } from '@app/contracts';

/** What a client's attachment to a stream starts from (read by the tap and its ordered relay). */
export interface TapOptions {
  meta: MetaEventData;
  /** Chunks up to this seq were already received by the client. */
  afterSeq: number;
  /**
   * For the connection that started the stream: when its request arrived, on the monotonic clock
   * (`performance.now()`), to report ttft as measured here.
   */
  receivedAtMonoMs?: number;
  /** Subscribed before the stream's job was enqueued: its log holds nothing that does not come live. */
  newStream?: boolean;
  onClose?: () => void;
}
