import { RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Request } from 'express';
import type { AppConfig } from '../config/config.schema.js';
import { TracingShutdown } from '../tracing/tracing-shutdown.js';

/**
 * Structured JSON logs (pino) with the request id on every request-scoped line. Every service
 * imports it, so it also carries the flush of buffered spans at shutdown (TracingShutdown).
 */
export function loggerModule(config: AppConfig, service: string) {
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
  });
  return { ...logging, providers: [...(logging.providers ?? []), TracingShutdown] };
}
