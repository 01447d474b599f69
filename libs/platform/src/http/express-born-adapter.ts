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
 * routes', `direct-routes.ts`) sets the prototype they already have, which V8 skips. Mounted
 * Express sub-apps would switch prototypes again; Nest mounts none.
 */
export class ExpressAdapterBornExpress extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    // HTTPS and the adapter's connection options build their server in Nest's code: left as they are.
    if (options.httpsOptions || options.return503OnClosing || options.forceCloseConnections) return super.initHttpServer(options);
    const app = this.getInstance<Express>();
    const Request = classInPlaceOf(IncomingMessage, app.request);
    const Response = classInPlaceOf(ServerResponse, app.response);
    // Express reads these on every request: its switch now sets the prototype the objects have.
    app.request = Request.prototype as Express['request'];
    app.response = Response.prototype as Express['response'];
    this.httpServer = createServer({ IncomingMessage: Request, ServerResponse: Response }, app);
  }
}

/**
 * A subclass of Node's `base` whose prototype takes the place of Express's `expressObject` (the
 * app's `request` or `response`): the same own members, the same chain below it. A subclass, not
 * a function that calls `base` on its `this`: its instances get `base`'s room for fields inside
 * the object. Called on an object of a plain function instead, `base` left a response's fifty-odd
 * fields in a hash table (V8's dictionary mode), where every read is a lookup.
 */
function classInPlaceOf<C extends typeof IncomingMessage | typeof ServerResponse>(base: C, expressObject: object): C {
  const Born = class extends (base as typeof IncomingMessage) {};
  Object.setPrototypeOf(Born.prototype, Object.getPrototypeOf(expressObject));
  for (const key of Reflect.ownKeys(expressObject)) Object.defineProperty(Born.prototype, key, Object.getOwnPropertyDescriptor(expressObject, key)!);
  Object.defineProperty(Born, 'name', { value: base.name }); // as heap snapshots and stack traces name it
  return Born as unknown as C;
}
