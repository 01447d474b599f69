import { ForbiddenException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { Authenticator } from './authenticator.service.js';
import type { RequestWithCaller } from './caller.js';

const named = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Resolves the caller of every API route. With auth on, a `user_id` in the body or query that
 * names someone else is 403; with auth off, that `user_id` is the caller (docs/api.md §8).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly authenticator: Authenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request & RequestWithCaller>();
    // The native API and the OpenAI-compatible one (docs/api.md §13) take the same credentials.
    if (!req.path.startsWith('/api/') && !req.path.startsWith('/v1/')) return true;
    const named_ = [named((req.body as Record<string, unknown> | undefined)?.user_id), named(req.query.user_id)].filter(
      (v): v is string => v !== undefined,
    );
    if (!this.authenticator.enabled) {
      req.caller = { userId: named_[0], authenticated: false };
      return true;
    }
    const caller = await this.authenticator.authenticate(req);
    if (named_.some((id) => id !== caller.userId)) throw new ForbiddenException({ message: 'user_id does not match the credentials' });
    req.caller = caller;
    return true;
  }
}
