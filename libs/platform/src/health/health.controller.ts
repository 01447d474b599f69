import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness-check.js';

const CHECK_TIMEOUT_MS = 1_000;

async function withTimeout(check: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS)));
  try {
    return await Promise.race([check.check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** docs/api.md §7: liveness (process up) and readiness (dependencies reachable). */
@Controller('health')
export class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response): Promise<{ status: string; checks: Record<string, boolean> }> {
    const results = await Promise.all(this.checks.map(withTimeout));
    const checks = Object.fromEntries(this.checks.map((c, i) => [c.name, results[i]]));
    const ok = results.every(Boolean);
    if (!ok) {
      res.status(503);
      res.setHeader('Retry-After', '2');
    }
    return { status: ok ? 'ok' : 'unavailable', checks };
  }
}
