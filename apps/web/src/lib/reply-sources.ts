import type { Source } from './api-types';

/** A source as the UI lists it: a link when the document has an http(s) URL, a title otherwise. */
export interface ShownSource {
  title: string;
  href: string | null;
  /** Where in the knowledge base it is (`product/configuration.md#redis`), for the tooltip. */
  refs: string;
}

function safeHref(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** One entry per document (several sections of one article are one source), in the reply's order. */
export function shownSources(sources: readonly Source[]): ShownSource[] {
  const shown = new Map<string, ShownSource>();
  for (const source of sources) {
    const href = safeHref(source.url);
    const key = `${source.title}\n${href ?? ''}`;
    const entry = shown.get(key);
    if (entry) entry.refs += `, ${source.ref}`;
    else shown.set(key, { title: source.title, href, refs: source.ref });
  }
  return [...shown.values()];
}
