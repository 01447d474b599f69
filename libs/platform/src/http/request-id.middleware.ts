import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const SAFE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

type RequestWithId = Request & { id?: string };

/** The request's X-Request-Id (set by `requestIdMiddleware`, the second middleware). */
export function requestIdOf(req: Request): string | undefined {
  return (req as RequestWithId).id;
}

/** docs/api.md §9: every response carries X-Request-Id, echoing the client's own when it is sane. */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const sent = req.headers['x-request-id'];
  const id = typeof sent === 'string' && SAFE_ID.test(sent) ? sent : randomUUID();
  (req as RequestWithId).id = id;
  res.setHeader('X-Request-Id', id);
  next();
}
