export * from './turn-recorder.js';
export * from './turn-metadata.js';
export * from './turn-stats.js';
