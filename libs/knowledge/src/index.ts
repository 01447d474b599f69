export * from './kb-section.js';
export * from './markdown-blocks.js';
export * from './text-terms.js';
export * from './plain-text.js';
export * from './rank-fusion.js';
export * from './vectors.js';
