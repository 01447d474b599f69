import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** Who is calling. With auth off, `userId` is what the request names (possibly nothing). */
export interface Caller {
  userId?: string;
  authenticated: boolean;
  /** May change the knowledge base: listed in ADMIN_USERS, or an API key marked `:admin`. */
  admin?: boolean;
}

export type RequestWithCaller = { caller?: Caller };

/** The caller's user id, as the auth guard resolved it. */
export const CallerId = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => {
  return ctx.switchToHttp().getRequest<RequestWithCaller>().caller?.userId;
});
