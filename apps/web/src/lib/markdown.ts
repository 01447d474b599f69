import DOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';
import { highlightCode } from './code-highlight';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const marked = new Marked({
  gfm: true,
  renderer: {
    // A code block with a copy button; the click is handled by delegation in MarkdownView, since
    // sanitising removes every inline handler anyway.
    code({ text, lang }: Tokens.Code): string {
      const highlighted = highlightCode(text, lang);
      const language = lang ? escapeHtml(lang.split(/\s+/)[0]) : '';
      return (
        `<div class="code-block"><div class="code-toolbar"><span class="code-lang">${language}</span>` +
        `<button type="button" class="copy-code" aria-label="Copy code">Copy</button></div>` +
        `<pre><code class="hljs${language ? ` language-${language}` : ''}">${highlighted ?? escapeHtml(text)}</code></pre></div>\n`
      );
    },
    // Raw HTML in a reply is shown as the text it is, never interpreted (replies are Markdown).
    html({ text, block }: Tokens.HTML | Tokens.Tag): string {
      return block ? `<p class="raw-html">${escapeHtml(text.trim())}</p>\n` : escapeHtml(text);
    },
  },
});

// Links open in a new tab without giving it a handle on this one. DOMPurify has already removed
// `javascript:` and other unsafe URLs by the time this hook runs.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
});

/**
 * Markdown of an assistant reply, possibly incomplete (mid-stream: an unclosed code fence renders
 * as a code block so far), to HTML that is safe to insert: sanitised after parsing, always.
 */
export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown, { async: false });
  return DOMPurify.sanitize(html, {
    FORBID_TAGS: ['style', 'form', 'input', 'textarea', 'select', 'iframe', 'object', 'embed'],
    FORBID_ATTR: ['style'],
  });
}
