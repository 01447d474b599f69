import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ForbiddenException, type ExceptionFilter, type INestApplication, type Type } from '@nestjs/common';
import { EXCEPTION_FILTERS_METADATA, GUARDS_METADATA, INTERCEPTORS_METADATA, PIPES_METADATA } from '@nestjs/common/constants.js';
import { ExecutionContextHost } from '@nestjs/core/internal';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Express, Request, Response } from 'express';
import { AllExceptionsFilter, isPlainDto, jsonBodySteps, requestIdMiddleware, requestValidation, stampArrival, validPlainBody, type AppConfig } from '@app/platform';
import { AuthGuard } from '../auth/auth.guard.js';
import { Authenticator } from '../auth/authenticator.service.js';
import type { RequestWithCaller } from '../auth/caller.js';
import { ChatCompletionRequestDto } from '../openai-compat/chat-completion.dto.js';
import { OpenAiCompatController } from '../openai-compat/openai-compat.controller.js';
import { OpenAiErrorFilter } from '../openai-compat/openai-error.filter.js';
import { ChatRequestDto } from '../requests/chat-request.dto.js';
import { requestArrival } from '../requests/request-arrival.js';
import { corsOrigins, SECURITY_HEADERS } from '../security/http-hardening.js';
import { ChatController } from '../chat/chat.controller.js';

type ApiRequest = Request & RequestWithCaller;
type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** One route served directly: what Nest would resolve for it from the controller's decorators. */
interface DirectRoute<C, B> {
  controller: Type<C>;
  /** The handler's name, for the execution context the guard and the filter are given. */
  handler: keyof C & string;
  /** The `@Body()` DTO the validation pipe checks. */
  body: Type<B>;
  /** The filter Nest would pick: the controller's `@UseFilters`, else the app's. */
  filter: ExceptionFilter;
  /** The handler, called with what its parameter decorators would resolve. */
  call(controller: C, body: B, req: ApiRequest, res: Response): Promise<void>;
}

/** What the start-up check reads of a route: where its decorators would be. */
type RouteDeclaration = Pick<DirectRoute<unknown, unknown>, 'filter'> & { controller: Type<unknown>; handler: string };

/** A route as a request finds it: its controller's instance and handler resolved once, at start-up. */
interface ServedRoute {
  filter: ExceptionFilter;
  /** What Nest hands the guard and the filter: the request, the controller class and its handler. */
  contextOf(req: Request, res: Response): ExecutionContextHost;
  /** The validation pipe on the body, then the handler. */
  run(req: ApiRequest, res: Response): Promise<void>;
}

type DeclaredRoute = RouteDeclaration & { resolve(app: INestApplication): ServedRoute };

function route<C, B>(spec: DirectRoute<C, B>): DeclaredRoute {
  return {
    controller: spec.controller,
    handler: spec.handler,
    filter: spec.filter,
    resolve(app) {
      const controller = app.get(spec.controller);
      const handler = controller[spec.handler] as (...args: unknown[]) => unknown;
      // The pipe's answer either way; a body with only plain fields takes the shorter path to it.
      const validate = isPlainDto(spec.body as Type<object>)
        ? (body: unknown) => validPlainBody(body, spec.body as Type<B & object>)
        : (body: unknown) => requestValidation.transform(body, { type: 'body', metatype: spec.body }) as Promise<B>;
      return {
        filter: spec.filter,
        contextOf: (req, res) => new ExecutionContextHost([req, res], spec.controller, handler),
        async run(req, res) {
          await spec.call(controller, (await validate(req.body)) as B, req, res);
        },
      };
    },
  };
}

/**
 * The routes served directly, by exact path, all `POST` (anything else, a query string or a
 * trailing slash too, goes through Express): the two ways to start a stream.
 */
const ROUTES = new Map<string, DeclaredRoute>([
  [
    '/api/v1/chat/unified/stream',
    route({
      controller: ChatController,
      handler: 'stream',
      body: ChatRequestDto,
      filter: new AllExceptionsFilter(),
      call: (chat, body, req, res) => chat.stream(body, req.caller?.userId, requestArrival(req), req, res),
    }),
  ],
  [
    '/v1/chat/completions',
    route({
      controller: OpenAiCompatController,
      handler: 'completions',
      body: ChatCompletionRequestDto,
      filter: new OpenAiErrorFilter(),
      call: (openAi, body, req, res) => openAi.completions(body, req.headers['x-session-id'] as string | undefined, req, res),
    }),
  ],
]);

/**
 * Refuses to start when a route's controller or handler carries a guard, interceptor, pipe or
 * filter that this file does not run: a decorator added there later must not be skipped silently.
 */
export function assertNothingElseDecorated(route: RouteDeclaration): void {
  const handler = (route.controller.prototype as Record<string, object>)[route.handler];
  const expected: Record<string, unknown[]> = { [EXCEPTION_FILTERS_METADATA]: route.filter instanceof AllExceptionsFilter ? [] : [route.filter.constructor] };
  for (const key of [GUARDS_METADATA, INTERCEPTORS_METADATA, PIPES_METADATA, EXCEPTION_FILTERS_METADATA]) {
    const found = [route.controller, handler].flatMap((target) => (Reflect.getMetadata(key, target) as unknown[] | undefined) ?? []);
    const allowed = expected[key] ?? [];
    if (found.length !== allowed.length || found.some((item, i) => item !== allowed[i])) {
      throw new Error(`${route.controller.name}.${route.handler} carries ${key} that the direct route does not run: add it to direct-routes/direct-routes.ts`);
    }
  }
}

/**
 * Serves the starts of a stream (`POST /api/v1/chat/unified/stream`, docs/api.md §1, and
 * `POST /v1/chat/completions`, §13) from the HTTP server's request event, before Express's router
 * and Nest's request pipeline, running the same steps they would run, in their order: the arrival
 * stamp and request id, the JSON body (415, 413, 400 on a parse error or a prototype key), the
 * security headers, the auth guard, the validation pipe, the controller's handler, and the
 * route's exception filter for whatever they throw.
 *
 * Why: a start is the gateway's busiest request, and its work is mostly not ours. Measured with
 * `npm run bench -- --admission`, a `GET /health/live` costs the gateway 0.3 ms of CPU where a bare
 * `node:http` server answers in 0.1, and a start 0.8 ms: the router matches the request against
 * every middleware layer and route, and Nest builds an execution context, runs interceptors and
 * param factories around the handler, for each request. A burst of starts is a queue through
 * this one thread (docs/benchmarks.md), and a cached reply's first chunk waits behind it.
 *
 * Not with CORS configured (CORS_ORIGINS): the cors middleware then adds headers to every answer
 * (`Vary: Origin`, the exposed headers), which only Express's chain gives. Every other route is
 * unchanged.
 */
export function serveStreamStartsDirectly(app: INestApplication, config: AppConfig): void {
  if (corsOrigins(config).length > 0) return;
  for (const route of ROUTES.values()) assertNothingElseDecorated(route);
  const server = app.getHttpServer() as Server;
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length !== 1) throw new Error(`expected the Express app as the HTTP server's one request listener, found ${listeners.length}`);
  const [viaExpress] = listeners;
  const express = (app as NestExpressApplication).getHttpAdapter().getInstance() as Express;
  const served = new Map([...ROUTES].map(([path, declared]) => [path, declared.resolve(app)]));
  const direct = new DirectRoutes(express, new AuthGuard(app.get(Authenticator)));
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const found = req.method === 'POST' ? served.get(req.url ?? '') : undefined;
    if (found) direct.serve(found, req, res);
    else viaExpress(req, res);
  });
}

class DirectRoutes {
  constructor(
    private readonly express: Express,
    private readonly guard: AuthGuard,
  ) {}

  serve(route: ServedRoute, incoming: IncomingMessage, outgoing: ServerResponse): void {
    const req = incoming as ApiRequest;
    const res = outgoing as Response;
    this.asExpressPair(req, res);
    // Express's router catches what a middleware throws, synchronously or in the body's callback:
    // an answer from the exception filter, not a crashed process.
    const failed = (err: unknown) => route.filter.catch(err, route.contextOf(req, res));
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
                  void this.handle(route, req, res);
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

  /** Guard, pipe, handler; a throw from any of them is answered by the route's exception filter. */
  private async handle(route: ServedRoute, req: ApiRequest, res: Response): Promise<void> {
    const context = route.contextOf(req, res);
    try {
      // As Nest's guards consumer: a guard that answers false is a 403.
      if (!(await this.guard.canActivate(context))) throw new ForbiddenException('Forbidden resource');
      await route.run(req, res);
    } catch (err) {
      route.filter.catch(err, context);
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
