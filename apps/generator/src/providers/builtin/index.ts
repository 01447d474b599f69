export { BuiltinProvider } from './builtin.provider.js';
export { KnowledgeBase } from './knowledge-base.js';
export type { KbArticle, KbSection } from '@app/knowledge';
