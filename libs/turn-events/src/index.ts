export * from './turn-recorder.js';
