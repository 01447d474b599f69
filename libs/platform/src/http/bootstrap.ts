import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import type { AppConfig } from '../config/config.schema.js';
import { ExpressAdapterBornExpress } from './express-born-adapter.js';
import { installJsonBody } from './json-body.js';
import { stampArrival } from './arrival-time.js';
import { requestIdMiddleware } from './request-id.middleware.js';

/** Shutdown must not hang forever on a stuck connection: past this, the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 15_000;

/** Creates and starts one service's HTTP app with the shared middleware, logger and shutdown. */
export async function startHttpApp(
  module: unknown,
  config: AppConfig,
  service: string,
  configure?: (app: INestApplication) => void,
): Promise<INestApplication> {
  const app = await NestFactory.create(module as never, new ExpressAdapterBornExpress(), { bodyParser: false, bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  (app as NestExpressApplication).disable('x-powered-by');
  app.use(stampArrival);
  app.use(requestIdMiddleware);
  installJsonBody(app);
  app.enableShutdownHooks();
  configure?.(app);
  await app.listen(config.PORT, config.HOST);
  const logger = new Logger(service);
  logger.log(`${service} listening on ${config.HOST}:${config.PORT}`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref());
  }
  return app;
}
