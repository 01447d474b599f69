export * from './reply-cache-key.js';
export * from './reply-cache.js';
