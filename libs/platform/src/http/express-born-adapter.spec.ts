import { describe, expect, it } from '@jest/globals';
import { request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';
import { ExpressAdapterBornExpress } from './express-born-adapter.js';

// V8's own test of "same hidden class", through its natives syntax (compiled after the flag is set).
setFlagsFromString('--allow-natives-syntax');
const haveSameShape = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

interface Arrival {
  bornAsExpress: boolean;
  req: IncomingMessage;
  res: ServerResponse;
}

/** Two requests held open on `adapter`'s server, each given Express's prototypes as Express's init does. */
async function twoOpenRequests(adapter: ExpressAdapter): Promise<{ arrivals: Arrival[]; close: () => Promise<void> }> {
  adapter.initHttpServer({});
  const server = adapter.getHttpServer() as Server;
  const app = adapter.getInstance<Express>();
  const arrivals: Arrival[] = [];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const bornAsExpress = Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response;
    Object.setPrototypeOf(req, app.request);
    Object.setPrototypeOf(res, app.response);
    arrivals.push({ bornAsExpress, req, res });
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('open');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const clients = await Promise.all(
    [1, 2].map(
      () =>
        new Promise<ReturnType<typeof httpRequest>>((resolve, reject) => {
          const client = httpRequest({ host: '127.0.0.1', port, path: '/', agent: false }, () => resolve(client));
          client.on('error', reject);
          client.end();
        }),
    ),
  );
  return {
    arrivals,
    close: async () => {
      for (const client of clients) client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('ExpressAdapterBornExpress', () => {
  it('creates requests and responses with Express prototypes, so that open ones share one shape, with fast properties', async () => {
    const { arrivals, close } = await twoOpenRequests(new ExpressAdapterBornExpress());
    try {
      expect(arrivals.map((a) => a.bornAsExpress)).toEqual([true, true]);
      const [first, second] = arrivals;
      expect(typeof (first.res as ServerResponse & { json?: unknown }).json).toBe('function');
      expect(haveSameShape(first.req, second.req)).toBe(true);
      expect(haveSameShape(first.res, second.res)).toBe(true);
      // Not a hash table of fields (V8's dictionary mode), as a response built outside a constructor of its own ends up.
      expect([first.req, first.res].map(hasFastProperties)).toEqual([true, true]);
    } finally {
      await close();
    }
  });

  it('is needed: with the plain Nest adapter, switching the prototype gives each open response a shape of its own', async () => {
    const { arrivals, close } = await twoOpenRequests(new ExpressAdapter());
    try {
      expect(arrivals.map((a) => a.bornAsExpress)).toEqual([false, false]);
      expect(haveSameShape(arrivals[0].res, arrivals[1].res)).toBe(false);
    } finally {
      await close();
    }
  });
});
