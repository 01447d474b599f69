import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Logger, type INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig, startHttpApp } from '@app/platform';
import { GatewayModule } from './gateway.module.js';

const config = loadConfig('gateway');

/** The web UI's static build is served at `/` (same origin as the API: no CORS needed). */
function serveWebUi(app: INestApplication): void {
  const webDir = resolve(config.WEB_DIR);
  if (existsSync(webDir)) (app as NestExpressApplication).useStaticAssets(webDir, { index: 'index.html' });
  else new Logger('gateway').warn(`web UI not built (${webDir} missing): run "npm run build:web"`);
}

await startHttpApp(GatewayModule.forRoot(config), config, 'gateway', serveWebUi);
