import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { HistoryClient } from '@app/platform';
import { StreamStore } from '@app/stream-store';
import { StreamLimits } from './stream-limits.service.js';
import { redisStep } from '../redis-step.js';
import { StreamRelay } from '../relay/stream-relay.service.js';

/** A stream about to start, as `SessionAccess.admit` claims it. */
export interface StreamStart {
  sessionId: string;
  userId: string;
  streamId: string;
  /** ISO time of the request, stored in the stream's meta. */
  createdAt: string;
  /** The request named no session: the id was made up for it and is claimed for the user. */
  newSession: boolean;
}

const busy = (sessionId: string, streamId?: string) =>
  new ConflictException({ message: 'A stream is already running for this session', ...(streamId ? { stream_id: streamId } : {}), session_id: sessionId });

/** Who owns a session, and the one-running-stream-per-session rule (docs/api.md §1). */
@Injectable()
export class SessionAccess {
  constructor(
    private readonly store: StreamStore,
    private readonly relay: StreamRelay,
    private readonly history: HistoryClient,
    private readonly limits: StreamLimits,
  ) {}

  /**
   * Everything a start claims and writes before it subscribes, in one round trip (the openStream
   * script): the session for its owner, the session's running-stream slot, one of the user's
   * slots, the stream's meta and presence. Else 404 (not the caller's session), 409 (a stream
   * runs) or 429 (a cap), in that order of precedence.
   *
   * The owner is cached in Redis so a turn needs no HTTP call; on a miss history decides, and an
   * id nobody owns is claimed for the caller (the script writes it only if still uncached).
   */
  async admit(start: StreamStart): Promise<void> {
    const { sessionId, userId } = start;
    let ownerIfUncached = '';
    let takeovers = 0;
    for (let call = 0; ; call++) {
      const [outcome, running] = await redisStep(this.store.admit({ ...start, ownerIfUncached, ...this.limits.admission(call === 0) }));
      switch (outcome) {
        case 'opened':
          return;
        case 'owner_unknown':
          ownerIfUncached = (await this.history.owner(sessionId)) ?? userId;
          break;
        case 'not_owner':
          throw new NotFoundException({ error: 'Session not found', message: 'Session not found', session_id: sessionId });
        case 'busy': {
          const meta = await this.relay.meta(running);
          if (meta && (meta.status === 'running' || meta.status === 'cancelling')) throw busy(sessionId, running);
          // A stale claim (its stream ended without releasing it): take it over if still the same.
          await redisStep(this.store.releaseStaleClaim(sessionId, running));
          if (++takeovers === 2) throw busy(sessionId);
          break;
        }
        default:
          throw this.limits.refusal(outcome, running);
      }
    }
  }

  async activeStream(sessionId: string): Promise<string | null> {
    return redisStep(this.store.activeStream(sessionId));
  }

  async forget(sessionId: string): Promise<void> {
    await redisStep(this.store.forgetOwner(sessionId));
  }
}
