export * from './streams/stream-events.js';
export * from './queues/queue-names.js';
export * from './queues/job-payloads.js';
export * from './turn-events.js';
export * from './history-api.js';
export * from './ids.js';
export * from './chat-request.js';
export * from './kb-api.js';
