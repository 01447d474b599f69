export * from './pacer.js';
export * from './pacing-clock.js';
