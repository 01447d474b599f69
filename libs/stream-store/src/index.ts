export * from './stream-keys.js';
export * from './stream-entry.js';
export * from './stream-store.js';
export * from './stream-subscriptions.js';
export * from './cancel-requests.js';
export type { AppendListener } from './chunk-appends.js';
export type { OpenStreamOutcome } from './scripts/open-stream.js';
export { presenceCheckEvery } from './scripts/append-chunks.js';
