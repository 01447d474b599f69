import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';

/**
 * Nest's Express adapter, with one difference: the HTTP server creates its requests and responses
 * with Express's prototypes (`req.get`, `res.json`, …) already in place.
 *
 * Express gives a request its helpers by switching the prototype of Node's objects as the request
 * arrives. V8 then gives every such object a hidden class of its own (measured: 300 open streams,
 * 300 distinct shapes each for their requests and responses), so the code that touches requests
 * and responses, Node's, Express's and ours (a stream's response is checked for every chunk it is
 * sent), never finds a shape it has seen, and every open stream keeps its own shapes in the heap.
 * Born with the right prototype, the objects share one shape, and Express's switch (and the direct
 * routes', `direct-routes.ts`) sets the prototype they already have, which V8 skips.
 */
export class ExpressAdapterBornExpress extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    // HTTPS and the adapter's connection options build their server in Nest's code: left as they are.
    if (options.httpsOptions || options.return503OnClosing || options.forceCloseConnections) return super.initHttpServer(options);
    const app = this.getInstance<Express>();
    this.httpServer = createServer(
      { IncomingMessage: bornWith(IncomingMessage, app.request), ServerResponse: bornWith(ServerResponse, app.response) },
      app,
    );
  }
}

/**
 * `base`'s constructor (Node's are plain functions, callable on any `this`) for objects whose
 * prototype is `prototype`, an object that inherits from `base.prototype`.
 */
function bornWith<C extends object>(base: C, prototype: object): C {
  const construct = base as unknown as (this: object, ...args: unknown[]) => void;
  function Born(this: object, ...args: unknown[]): void {
    Reflect.apply(construct, this, args);
  }
  Born.prototype = prototype;
  Object.defineProperty(Born, 'name', { value: (base as { name?: string }).name }); // as heap snapshots and stack traces name it
  return Born as unknown as C;
}
