import type { ChatMessage } from './chat-message';

const statusNote: Record<string, string> = { stopped: ' _(stopped)_', failed: ' _(failed)_', streaming: ' _(in progress)_' };

/** A conversation as a Markdown document: the title, then each turn under its speaker. */
export function sessionToMarkdown(title: string, messages: ChatMessage[], sessionId: string | null): string {
  const lines = [`# ${title}`, ''];
  if (sessionId) lines.push(`Session \`${sessionId}\`, exported ${new Date().toISOString()}`, '');
  for (const m of messages) {
    const note = m.role === 'assistant' ? (statusNote[m.status] ?? '') : '';
    lines.push(`## ${m.role === 'user' ? 'User' : 'Assistant'}${note}`, '', `_${m.timestamp}_`, '', m.content.trimEnd(), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** A file name from a title: lowercase words joined by dashes, never empty. */
export function exportFileName(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `chat-${slug || 'session'}.md`;
}

/** Makes the browser download `text` as a file. */
export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/markdown;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
