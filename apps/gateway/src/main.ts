import 'reflect-metadata';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { Logger, type INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig, startHttpApp, startTracing } from '@app/platform';
import { serveStreamStartsDirectly } from './direct-routes/direct-routes.js';
import { GatewayModule } from './gateway.module.js';
import { forkGatewayWorkers } from './runtime/gateway-workers.js';
import { limitHeapGrowth } from './runtime/heap-growth.js';
import { applyServerTimeouts, hardenHttp } from './security/http-hardening.js';

const config = loadConfig('gateway');
// With GATEWAY_WORKERS > 1 this process only supervises the workers it forks (each runs the rest).
if (!forkGatewayWorkers(config.GATEWAY_WORKERS)) await startGateway();

async function startGateway(): Promise<void> {
  // First: the SDK (when OTEL_* asks for traces) is in place before any span can be started.
  await startTracing('gateway');
  limitHeapGrowth();
  const app = await startHttpApp(GatewayModule.forRoot(config), config, 'gateway', configure);
  applyServerTimeouts(app.getHttpServer() as Server);
}

/**
 * Hardening first, then the web UI's static build at `/` (same origin as the API: no CORS needed);
 * stream starts are served ahead of both, with the same steps (direct-routes/).
 */
function configure(app: INestApplication): void {
  hardenHttp(app, config);
  serveStreamStartsDirectly(app, config);
  const webDir = resolve(config.WEB_DIR);
  if (existsSync(webDir)) (app as NestExpressApplication).useStaticAssets(webDir, { index: 'index.html' });
  else new Logger('gateway').warn(`web UI not built (${webDir} missing): run "npm run build:web"`);
}

