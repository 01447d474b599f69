import type { AppConfig } from './config.schema.js';

/** Injection token of the validated configuration object. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export type { AppConfig };
