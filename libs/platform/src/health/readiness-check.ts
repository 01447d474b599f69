/** One dependency a service needs to serve traffic (Redis, the database). */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<boolean>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
