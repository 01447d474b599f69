import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

// The repository carries its own contract (docs/api.md) and design (docs/architecture.md): no
// file may send a reader to a document that is not in it. The patterns are built from pieces so
// that this file does not match them itself.
const root = fileURLToPath(new URL('..', import.meta.url));
const outsideReferences = ['..' + '/shared', 'API' + '.md', 'DESIGN' + '.md'];

/** Tracked files that exist in the working tree, relative to the root. */
function trackedFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return listed.split('\0').filter((path) => path !== '' && existsSync(join(root, path)) && statSync(join(root, path)).isFile());
}

/** The text of a file, or null for a binary one. */
function textOf(path: string): string | null {
  const bytes = readFileSync(join(root, path));
  if (bytes.includes(0)) return null;
  return bytes.toString('utf8');
}

/** Targets of the Markdown links and images of `text`, outside code blocks and code spans. */
function linkTargets(text: string): string[] {
  const prose = text.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
  const targets: string[] = [];
  for (const match of prose.matchAll(/!?\[[^\]]*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) targets.push(match[1].replace(/^<|>$/g, ''));
  for (const match of prose.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)) targets.push(match[1]);
  return targets;
}

/** A link to another file of the repository (not a URL, not an anchor of the same page). */
const isRelative = (target: string) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#') && !target.startsWith('//');

describe('the repository is self-contained', () => {
  it('has its own API and architecture documents', () => {
    for (const doc of ['docs/api.md', 'docs/architecture.md']) expect([doc, existsSync(join(root, doc))]).toEqual([doc, true]);
  });

  it('cites no document from outside the repository', () => {
    const offenders: string[] = [];
    for (const path of trackedFiles()) {
      const text = textOf(path);
      if (text === null) continue;
      text.split('\n').forEach((line, i) => {
        if (outsideReferences.some((reference) => line.includes(reference))) offenders.push(`${path}:${i + 1}: ${line.trim().slice(0, 160)}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('links, from README.md and docs/*.md, only to files that exist', () => {
    const documents = [
      'README.md',
      ...readdirSync(join(root, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .map((name) => `docs/${name}`),
    ];
    const broken: string[] = [];
    for (const document of documents) {
      for (const target of linkTargets(readFileSync(join(root, document), 'utf8')).filter(isRelative)) {
        const path = decodeURIComponent(target.replace(/[#?].*$/, ''));
        if (path === '') continue;
        if (!existsSync(join(root, dirname(document), path))) broken.push(`${document}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
