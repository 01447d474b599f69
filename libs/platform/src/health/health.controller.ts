import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { withTimeout } from '../redis/with-timeout.js';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness-check.js';

const CHECK_TIMEOUT_MS = 1_000;

/** A check that fails, throws or does not answer within a second counts as not ready. */
const passes = (check: ReadinessCheck): Promise<boolean> => withTimeout(check.check(), CHECK_TIMEOUT_MS, check.name).catch(() => false);

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
    const results = await Promise.all(this.checks.map(passes));
    const checks = Object.fromEntries(this.checks.map((c, i) => [c.name, results[i]]));
    const ok = results.every(Boolean);
    if (!ok) {
      res.status(503);
      res.setHeader('Retry-After', '2');
    }
    return { status: ok ? 'ok' : 'unavailable', checks };
  }
}
