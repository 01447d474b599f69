import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { shutdownTracing } from './tracing.js';

/**
 * Exports the spans still buffered when the service stops (SIGTERM): after every module's
 * destroy hooks, so the spans of the work finished during shutdown go too.
 */
@Injectable()
export class TracingShutdown implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return shutdownTracing();
  }
}
