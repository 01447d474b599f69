export * from './streams/stream-keys.js';
export * from './streams/stream-entry.js';
export * from './streams/stream-events.js';
export * from './queues/queue-names.js';
export * from './queues/job-payloads.js';
export * from './history-api.js';
export * from './dto/chat-request.dto.js';
export * from './dto/is-text.validator.js';
