import type { NextFunction, Request, Response } from 'express';
import { earlyErrorBody } from './error-body.js';

/**
 * Keys that name prototype members. JSON.parse makes them plain own properties, harmless as
 * such, but class-transformer skips them, so the validation pipe's whitelist never sees them:
 * such a body was accepted where any other unknown field is a 400, and could reach code
 * (Object.assign, a deep merge) where `__proto__` replaces a prototype.
 */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The dotted path (`context.1.__proto__`) of a key naming a prototype member anywhere in a
 * parsed JSON value, or null. A walk with its own stack: a 64 KiB body can nest thousands of
 * levels deep, more than recursion has frames for. An ordinary body (a handful of keys and
 * strings) costs a few microseconds.
 */
export function prototypeKeyPath(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const pending: Array<{ node: object; path: string }> = [{ node: value, path: '' }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { node, path } = next;
    for (const key of Object.keys(node)) {
      const at = path === '' ? key : `${path}.${key}`;
      if (PROTOTYPE_KEYS.has(key)) return at;
      const child: unknown = (node as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) pending.push({ node: child, path: at });
    }
  }
  return null;
}

/**
 * Refuses a JSON body or a query string with a prototype key, with the 400 body the validation
 * pipe gives any other unknown field, before a guard, a pipe or a handler sees the request.
 * secure-json-parse does not fit: it lets `constructor` through unless it holds a `prototype`,
 * lets `prototype` through, and names no path; body-parser also takes no other parser.
 */
export function refusePrototypeKeys(req: Request, res: Response, next: NextFunction): void {
  const path = prototypeKeyPath(req.body) ?? prototypeKeyPath(req.query);
  if (path === null) return next();
  res.status(400).json(earlyErrorBody(req, 400, [`property ${path} should not exist`]));
}
