import { RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Request } from 'express';
import type { AppConfig } from '../config/config.schema.js';
import { TracingShutdown } from '../tracing/tracing-shutdown.js';

/**
 * Structured JSON logs (pino) with the request id on every request-scoped line. Every service
 * imports it, so it also carries the flush of buffered spans at shutdown (TracingShutdown).
 *
 * `requestScoped: false` leaves out the request-scoped logger altogether: its store is an
 * AsyncLocalStorage, which on Node 20 turns on promise hooks for the whole process from the first
 * request on, and then every promise pays for them (0.07 → 0.25 µs an await, measured). The
 * gateway, whose every chunk and stream start is a chain of promises, names the request id on its
 * request-scoped lines itself (`reqId`, as the scoped logger would).
 */
export function loggerModule(config: AppConfig, service: string, requestScoped = true) {
  const logging = LoggerModule.forRoot({
    pinoHttp: {
      level: config.LOG_LEVEL,
      name: service,
      genReqId: (req) => (req as unknown as Request & { id: string }).id,
      // Per-request access lines would be noise next to thousands of SSE chunks; failures are logged where they happen.
      autoLogging: false,
      quietReqLogger: true,
    },
    // Probes and scrapes get no request-scoped logger. Its store is an AsyncLocalStorage, which on
    // Node 20 turns on promise hooks for the whole process from its first request on: in the
    // generator, whose only HTTP routes these are, that would tax every promise of every chunk.
    exclude: [
      { path: 'health/*probe', method: RequestMethod.ALL },
      { path: 'metrics', method: RequestMethod.ALL },
    ],
    // No routes: the middleware is mounted nowhere, and logs go to the root logger.
    ...(requestScoped ? {} : { forRoutes: [] }),
  });
  return { ...logging, providers: [...(logging.providers ?? []), TracingShutdown] };
}
