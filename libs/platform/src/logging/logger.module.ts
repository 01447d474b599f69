import { LoggerModule } from 'nestjs-pino';
import type { Request } from 'express';
import type { AppConfig } from '../config/config.schema.js';

/** Structured JSON logs (pino) with the request id on every request-scoped line. */
export function loggerModule(config: AppConfig, service: string) {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: config.LOG_LEVEL,
      name: service,
      genReqId: (req) => (req as unknown as Request & { id: string }).id,
      // Per-request access lines would be noise next to thousands of SSE chunks; failures are logged where they happen.
      autoLogging: false,
      quietReqLogger: true,
    },
  });
}
