import { randomUUID } from 'node:crypto';
import type { Admission } from '@app/stream-store';

/** A stream start of a new session by a new user, with no cap or rate limit: `overrides` set the rest. */
export function newAdmission(overrides: Partial<Admission> = {}): Admission {
  return {
    streamId: randomUUID(),
    sessionId: randomUUID(),
    userId: `user-${randomUUID()}`,
    createdAt: new Date().toISOString(),
    newSession: true,
    ownerIfUncached: '',
    gatewayFull: false,
    userLimit: 0,
    slotMaxAgeMs: 60_000,
    countRequest: false,
    requestLimit: 0,
    requestWindowMs: 60_000,
    ...overrides,
  };
}
