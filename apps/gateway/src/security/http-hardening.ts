import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from '@app/platform';
import helmet from 'helmet';

/** A client must finish sending its headers, and its whole body, within these (slow-loris). */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Security headers with a CSP the web UI passes (same-origin scripts, no inline script, styles
 * inline allowed for highlight.js/Svelte), CORS only for configured origins, request timeouts.
 * No HSTS/upgrade-insecure-requests: self-hosted installs often serve plain HTTP on a LAN.
 */
export function hardenHttp(app: INestApplication, config: AppConfig): void {
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'", 'data:'],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      strictTransportSecurity: false,
    }),
  );
  const origins = config.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  // With no origin allowed, the cors middleware answers nothing and sets nothing: not installed.
  if (origins.length === 0) return;
  app.enableCors({
    origin: origins,
    allowedHeaders: ['Content-Type', 'Authorization', 'Last-Event-ID', 'X-Request-Id', 'X-API-Key', 'X-Session-Id'],
    exposedHeaders: ['X-Stream-Id', 'X-Session-Id', 'X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });
}

export function applyServerTimeouts(server: Server): void {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
}
