import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { AppConfig } from '@app/platform';
import helmet from 'helmet';

/** A client must finish sending its headers, and its whole body, within these (slow-loris). */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Security headers with a CSP the web UI passes (same-origin scripts, no inline script, styles
 * inline allowed for highlight.js/Svelte). No HSTS/upgrade-insecure-requests: self-hosted installs
 * often serve plain HTTP on a LAN. Every directive is a constant (no per-request nonce), so every
 * response gets the same headers: `SECURITY_HEADERS` holds them for the routes served ahead of Express.
 */
const securityHeaders = helmet({
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
});

/** The headers `securityHeaders` sets, read once from the middleware itself (the source of truth). */
export const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = headersSetBy(securityHeaders);

/** The origins CORS_ORIGINS allows (none: no CORS headers at all). */
export function corsOrigins(config: AppConfig): string[] {
  return config.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
}

/** The security headers, CORS only for configured origins. */
export function hardenHttp(app: INestApplication, config: AppConfig): void {
  app.use(securityHeaders);
  const origins = corsOrigins(config);
  // With no origin allowed, the cors middleware answers nothing and sets nothing: not installed.
  if (origins.length === 0) return;
  app.enableCors({
    origin: origins,
    allowedHeaders: ['Content-Type', 'Authorization', 'Last-Event-ID', 'X-Request-Id', 'X-API-Key', 'X-Session-Id'],
    exposedHeaders: ['X-Stream-Id', 'X-Session-Id', 'X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });
}

/** Runs a header-setting middleware once against a response that only records what it sets. */
function headersSetBy(middleware: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void): Array<[string, string]> {
  const set = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => set.set(name, String(value)),
    removeHeader: (name: string) => set.delete(name),
  };
  let done = false;
  middleware({ headers: {} } as IncomingMessage, recorder as unknown as ServerResponse, (err) => {
    if (err) throw err as Error;
    done = true;
  });
  if (!done) throw new Error('the security headers middleware did not finish at once: its headers are not constant');
  return [...set];
}

export function applyServerTimeouts(server: Server): void {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
}
