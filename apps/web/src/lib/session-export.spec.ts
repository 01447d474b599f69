import { describe, expect, it } from '@jest/globals';
import { assistantPlaceholder, userMessage } from './chat-message';
import { exportFileName, sessionToMarkdown } from './session-export';

describe('sessionToMarkdown', () => {
  it('writes the title, then each turn under its speaker, keeping the reply Markdown as is', () => {
    const reply = assistantPlaceholder('Hi?', { content: 'Use `x`:\n\n```js\nx()\n```\n', status: 'stopped', timestamp: 't2' });
    const text = sessionToMarkdown('Greeting', [userMessage('Hi?', 't1'), reply], 'sess-1');
    expect(text.startsWith('# Greeting\n\nSession `sess-1`, exported ')).toBe(true);
    expect(text).toContain('## User\n\n_t1_\n\nHi?\n\n## Assistant _(stopped)_\n\n_t2_\n\nUse `x`:\n\n```js\nx()\n```\n');
  });
});

describe('exportFileName', () => {
  it('slugs the title and never returns an empty name', () => {
    expect(exportFileName('How do I configure the Redis connection?')).toBe('chat-how-do-i-configure-the-redis-connection.md');
    expect(exportFileName('日本語')).toBe('chat-session.md');
  });
});
