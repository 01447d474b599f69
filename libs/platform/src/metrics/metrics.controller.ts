import { Controller, Get, Header } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';

let collecting = false;

/**
 * How often the event-loop lag metrics sample the loop. prom-client's default, 10 ms, is a timer
 * that wakes every process 200 times a second (each tick costs two returns from epoll) even
 * while it serves nothing: about 5 ms of CPU a second per idle process. At 100 ms a blocked loop
 * still shows, since every block delays the next sample by what is left of it.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

/** docs/api.md §7: Prometheus text format; process metrics plus whatever the service registers. */
@Controller('metrics')
export class MetricsController {
  constructor() {
    if (!collecting) {
      collectDefaultMetrics({ eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
      collecting = true;
    }
  }

  @Get()
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
