import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, TooManyRequestsException, type AppConfig } from '@app/platform';
import { PresenceService } from '../relay/presence.service.js';

/** A stream that lives longer than this no longer holds a slot of its user (crash safety net). */
const SLOT_MAX_AGE_MS = 15 * 60_000;

/**
 * Limits that hold across gateway instances because they live in Redis: requests per user per
 * window, streams running per user; plus a cap on what this one gateway serves at once.
 */
@Injectable()
export class StreamLimits {
  private readonly logger = new Logger(StreamLimits.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly presence: PresenceService,
  ) {}

  /**
   * What the admission script needs to admit a stream: whether this gateway is at its cap of
   * open streams, the user's cap (0 = none) with the age after which a slot is dropped, and the
   * request rate (counted by the same script: no round trip of its own before `meta`).
   * `firstCall`: a request is counted once, though a start may call the script again.
   */
  admission(firstCall: boolean): { gatewayFull: boolean; userLimit: number; slotMaxAgeMs: number; countRequest: boolean; requestLimit: number; requestWindowMs: number } {
    const cap = this.config.MAX_STREAMS_PER_GATEWAY;
    return {
      gatewayFull: cap > 0 && this.presence.attachedClients >= cap,
      userLimit: this.config.MAX_STREAMS_PER_USER,
      slotMaxAgeMs: SLOT_MAX_AGE_MS,
      countRequest: firstCall && this.config.RATE_LIMIT_REQUESTS > 0,
      requestLimit: this.config.RATE_LIMIT_REQUESTS,
      requestWindowMs: this.config.RATE_LIMIT_WINDOW_S * 1000,
    };
  }

  /** The 429 for a stream the admission script did not admit. */
  refusal(outcome: 'gateway_full' | 'user_full' | 'rate_limited', msLeft?: string): TooManyRequestsException {
    if (outcome === 'rate_limited') {
      return new TooManyRequestsException('Too many requests: slow down', Math.max(1, Math.ceil(Number(msLeft) / 1000)));
    }
    if (outcome === 'gateway_full') {
      this.logger.warn(`gateway at its cap of ${this.config.MAX_STREAMS_PER_GATEWAY} open streams`);
      return new TooManyRequestsException('This gateway is at capacity, retry shortly', 2);
    }
    return new TooManyRequestsException(`At most ${this.config.MAX_STREAMS_PER_USER} streams may run at once per user`, 2);
  }
}
