import type { KbArticle } from '@app/knowledge';

/** Names for the knowledge base's top-level folders; other folders are named after themselves. */
const FOLDER_LABELS: Readonly<Record<string, string>> = {
  product: 'This chat backend',
  general: 'General topics',
  documents: 'Added documents',
};

function folderLabel(folder: string): string {
  if (folder === '') return 'Articles';
  const label = FOLDER_LABELS[folder];
  if (label !== undefined) return label;
  const words = folder.replace(/[-_]+/g, ' ');
  return words[0].toUpperCase() + words.slice(1);
}

/** Article titles grouped by top-level folder: named folders first, in the order above, then the rest in path order. */
function topicGroups(articles: readonly KbArticle[]): { label: string; titles: string[] }[] {
  const groups: { folder: string; label: string; titles: string[] }[] = [];
  for (const article of articles) {
    const folder = article.path.includes('/') ? article.path.slice(0, article.path.indexOf('/')) : '';
    let group = groups.find((g) => g.folder === folder);
    if (!group) {
      group = { folder, label: folderLabel(folder), titles: [] };
      groups.push(group);
    }
    if (!group.titles.includes(article.title)) group.titles.push(article.title);
  }
  const rank = (folder: string) => {
    const index = Object.keys(FOLDER_LABELS).indexOf(folder);
    return index === -1 ? Number.MAX_SAFE_INTEGER : index;
  };
  return groups
    .map((group, position) => ({ group, position }))
    .sort((a, b) => rank(a.group.folder) - rank(b.group.folder) || a.position - b.position)
    .map(({ group }) => group);
}

/**
 * The plain answer when nothing in the knowledge base matches: say so, and list what it does
 * cover, so the user can rephrase instead of getting an invented reply or an empty one.
 */
export function topicsAnswer(articles: readonly KbArticle[], nothingNew: boolean): string[] {
  const opening = nothingNew
    ? 'I have nothing to add to my previous answer on that: it already covered what my knowledge base says.'
    : 'I could not find anything about that in my knowledge base, so I would rather not guess.';
  if (articles.length === 0) {
    return [`${opening}\n\n`, 'The knowledge base is empty: an admin can add documents with `npm run kb -- add <file>` (or `POST /api/v1/kb/documents`).'];
  }
  const pieces = [`${opening}\n\n`, 'I answer from articles on these topics:\n\n'];
  for (const group of topicGroups(articles)) pieces.push(`**${group.label}:** ${group.titles.join('; ')}.\n\n`);
  pieces.push('Ask about one of them, naming the topic in your question.');
  return pieces;
}

