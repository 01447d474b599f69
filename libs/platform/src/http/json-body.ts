import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import bodyParser from 'body-parser';
import type { NextFunction, Request, Response } from 'express';
import { earlyErrorBody } from './error-body.js';
import { refusePrototypeKeys } from './prototype-keys.js';

const BODY_LIMIT = '64kb';

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function isJson(req: Request): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/** A body that is not JSON is refused before parsing (docs/api.md §6: 415). */
function requireJson(req: Request, res: Response, next: NextFunction): void {
  if (hasBody(req) && !isJson(req)) {
    res.status(415).json(earlyErrorBody(req, 415, 'Content-Type must be application/json'));
    return;
  }
  next();
}

/** body-parser errors reach Express, not Nest's filters: shape them as docs/api.md §6 here. */
function bodyErrors(err: { status?: number; type?: string; message?: string }, req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 400;
  const message =
    err.type === 'entity.too.large'
      ? `Request body exceeds ${BODY_LIMIT}`
      : err.type === 'entity.parse.failed'
        ? 'Request body is not valid JSON'
        : (err.message ?? 'Bad request');
  res.status(status).json(earlyErrorBody(req, status, message));
}

/**
 * The steps a JSON body goes through, in order, as Express middleware: the media type (415), the
 * parse (`req.body`; the same types `requireJson` lets through, so a `+json` body is parsed, not read
 * as empty), the prototype-key check, and the shaping of a parse error. One set per process: the
 * Express app and the gateway's direct stream-start route run the same functions.
 */
export const jsonBodySteps = {
  requireJson,
  parse: bodyParser.json({ limit: BODY_LIMIT, strict: true, type: ['application/json', 'application/*+json'] }),
  refusePrototypeKeys,
  bodyErrors,
} as const;

export function installJsonBody(app: INestApplication): void {
  const express = app as NestExpressApplication;
  express.use(jsonBodySteps.requireJson);
  express.use(jsonBodySteps.parse);
  express.use(jsonBodySteps.refusePrototypeKeys);
  express.use(jsonBodySteps.bodyErrors);
}
