import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/internal';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Express, Request, Response } from 'express';
import { AllExceptionsFilter, jsonBodySteps, requestIdMiddleware, requestValidation, stampArrival, type AppConfig } from '@app/platform';
import { AuthGuard } from '../auth/auth.guard.js';
import { Authenticator } from '../auth/authenticator.service.js';
import type { RequestWithCaller } from '../auth/caller.js';
import { ChatRequestDto } from '../requests/chat-request.dto.js';
import { requestArrival } from '../requests/request-arrival.js';
import { corsOrigins, SECURITY_HEADERS } from '../security/http-hardening.js';
import { ChatController } from './chat.controller.js';

/** The route served directly: exactly this method and path (anything else, a query string too, goes through Express). */
const METHOD = 'POST';
const PATH = '/api/v1/chat/unified/stream';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Serves the start of a stream (`POST /api/v1/chat/unified/stream`, docs/api.md §1) from the HTTP
 * server's request event, before Express's router and Nest's request pipeline, running the same
 * steps they would run, in their order: the arrival stamp and request id, the JSON body (415, 413,
 * 400 on a parse error or a prototype key), the security headers, the auth guard, the validation
 * pipe, the controller's handler, and the exception filter for whatever it throws.
 *
 * Why: a start is the gateway's busiest request, and its work is mostly not ours. Measured with
 * `npm run bench -- --admission`, a `GET /health/live` costs the gateway 0.3 ms of CPU where a bare
 * `node:http` server answers in 0.1, and a start 0.8 ms: the router matches the request against
 * every middleware layer and route, and Nest builds an execution context, runs interceptors and
 * param factories around the handler, for each request. A burst of starts is a queue through
 * this one thread (docs/benchmarks.md), and a cached reply's first chunk waits behind it.
 *
 * Not with CORS configured (CORS_ORIGINS): the cors middleware then adds headers to every answer
 * (`Vary: Origin`, the exposed headers), which only Express's chain gives. Every other route, and
 * the OpenAI-compatible one, is unchanged.
 */
export function serveStreamStartsDirectly(app: INestApplication, config: AppConfig): void {
  if (corsOrigins(config).length > 0) return;
  const server = app.getHttpServer() as Server;
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length !== 1) throw new Error(`expected the Express app as the HTTP server's one request listener, found ${listeners.length}`);
  const [viaExpress] = listeners;
  const express = (app as NestExpressApplication).getHttpAdapter().getInstance() as Express;
  const route = new DirectStreamStart(express, app.get(ChatController), new AuthGuard(app.get(Authenticator)));
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === METHOD && req.url === PATH) route.serve(req, res);
    else viaExpress(req, res);
  });
}

class DirectStreamStart {
  private readonly errors = new AllExceptionsFilter();
  private readonly handler: ChatController['stream'];

  constructor(
    private readonly express: Express,
    private readonly controller: ChatController,
    private readonly guard: AuthGuard,
  ) {
    this.handler = controller.stream;
  }

  serve(incoming: IncomingMessage, outgoing: ServerResponse): void {
    const req = incoming as Request & RequestWithCaller;
    const res = outgoing as Response;
    this.asExpressPair(req, res);
    // Express's router catches what a middleware throws, synchronously or in the body's callback:
    // a 500 from the exception filter, not a crashed process.
    const failed = (err: unknown) => this.errors.catch(err, this.contextOf(req, res));
    try {
      // libs/platform's middleware (bootstrap), then the gateway's security headers (hardenHttp).
      stampArrival(req, res, () =>
        requestIdMiddleware(req, res, () =>
          jsonBodySteps.requireJson(req, res, () =>
            jsonBodySteps.parse(req, res, (parseError?: unknown) => {
              try {
                // What Express does when an error passes the last error handler: nothing left to say.
                if (parseError) return jsonBodySteps.bodyErrors(parseError as object, req, res, () => res.destroy());
                jsonBodySteps.refusePrototypeKeys(req, res, () => {
                  for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
                  void this.start(req, res);
                });
              } catch (err) {
                failed(err);
              }
            }),
          ),
        ),
      );
    } catch (err) {
      failed(err);
    }
  }

  private contextOf(req: Request, res: Response): ExecutionContextHost {
    return new ExecutionContextHost([req, res], ChatController, this.handler);
  }

  /** Guard, pipe, handler; a throw from any of them is answered by the app's exception filter. */
  private async start(req: Request & RequestWithCaller, res: Response): Promise<void> {
    const context = this.contextOf(req, res);
    try {
      await this.guard.canActivate(context);
      const body = (await requestValidation.transform(req.body, { type: 'body', metatype: ChatRequestDto })) as ChatRequestDto;
      await this.controller.stream(body, req.caller?.userId, requestArrival(req), req, res);
    } catch (err) {
      this.errors.catch(err, context);
    }
  }

  /** What Express's `app.handle` does first: its request/response helpers (`res.json`, `req.path`, …) on the node objects. */
  private asExpressPair(req: Request, res: Response): void {
    req.res = res;
    res.req = req;
    Object.setPrototypeOf(req, this.express.request);
    Object.setPrototypeOf(res, this.express.response);
    res.locals ??= Object.create(null) as Record<string, unknown>;
  }
}
