import { Module, type DynamicModule, type InjectionToken, type ModuleMetadata, type Type } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { APP_CONFIG } from './config/app-config.js';
import type { AppConfig, ServiceName } from './config/config.schema.js';
import { HealthController } from './health/health.controller.js';
import { READINESS_CHECKS, type ReadinessCheck } from './health/readiness-check.js';
import { AllExceptionsFilter } from './http/all-exceptions.filter.js';
import { loggerModule } from './logging/logger.module.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { requestValidation } from './validation/plain-body.js';

/** What a service adds to what every service has. */
export interface ServiceParts extends Pick<ModuleMetadata, 'imports' | 'controllers' | 'providers'> {
  /** The service's root module class (the `forRoot` that calls `forService`). */
  module: Type<unknown>;
  /** Providers implementing `ReadinessCheck`: `GET /health/ready` answers 200 only when all pass. */
  readiness: InjectionToken[];
  /** False: no request-scoped logger; the service tags its request lines with `reqId` itself (see loggerModule). */
  requestScopedLogs?: boolean;
}

/**
 * What every service shares: the validated configuration (`APP_CONFIG`, seen by every module),
 * the exception filter of docs/api.md §6, and the validation pipe (`requestValidation`).
 */
@Module({})
export class PlatformModule {
  /**
   * A service's root module: the shared parts above, plus the structured logger (named after the
   * service), the health and metrics routes, and the readiness checks, around the service's own
   * controllers and providers.
   */
  static forService(name: ServiceName, config: AppConfig, service: ServiceParts): DynamicModule {
    const platform: DynamicModule = {
      module: PlatformModule,
      global: true,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_PIPE, useValue: requestValidation },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
      exports: [APP_CONFIG],
    };
    return {
      module: service.module,
      imports: [platform, loggerModule(config, name, service.requestScopedLogs ?? true), ...(service.imports ?? [])],
      controllers: [...(service.controllers ?? []), HealthController, MetricsController],
      providers: [
        ...(service.providers ?? []),
        { provide: READINESS_CHECKS, inject: service.readiness, useFactory: (...checks: ReadinessCheck[]) => checks },
      ],
    };
  }
}
