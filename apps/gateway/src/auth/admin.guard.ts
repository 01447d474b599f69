import { ForbiddenException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { RequestWithCaller } from './caller.js';

/**
 * Routes that change the knowledge base (docs/api.md §14): admins only, that is users listed in
 * ADMIN_USERS or callers with an admin API key. With auth off (development) everyone passes.
 * A guard, so a non-admin is refused before the body is even validated.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const caller = context.switchToHttp().getRequest<RequestWithCaller>().caller;
    if (caller?.authenticated && !caller.admin) {
      throw new ForbiddenException({ message: 'Changing the knowledge base is for admins (ADMIN_USERS, or an admin API key)' });
    }
    return true;
  }
}
