import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

// The house's rules as a test: no import loops between files, no app importing another app, no
// lib importing an app, and outside the stream store no service reaches for a raw Redis client
// to touch a stream.
const root = fileURLToPath(new URL('..', import.meta.url));
const sourceRoots = ['apps/gateway/src', 'apps/generator/src', 'apps/history/src', 'libs'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Relative imports of a file (type-only ones included: they tie the files together too). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.{1,2}\/[^']+)'/gm)].map((m) =>
    relative(root, resolve(join(root, dirname(file)), m[1].replace(/\.js$/, '.ts'))),
  );
}

const files = sourceRoots.flatMap(sourceFiles);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

/** Every cycle, each as the list of files around it. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return found;
}

describe('the import graph', () => {
  it('has no loops', () => {
    expect(cycles()).toEqual([]);
  });

  it('keeps apps apart and libs free of apps', () => {
    const crossing = [...graph].flatMap(([file, imports]) =>
      imports.filter((target) => {
        const app = (path: string) => /^apps\/([^/]+)\//.exec(path)?.[1];
        return file.startsWith('libs/') ? target.startsWith('apps/') : app(target) !== undefined && app(target) !== app(file);
      }).map((target) => `${file} -> ${target}`),
    );
    expect(crossing).toEqual([]);
  });

  it('leaves every stream key and script to the stream store', () => {
    const outside = files.filter((file) => !file.startsWith('libs/stream-store/'));
    const offenders = outside.filter((file) => /\.(keys\.(log|channel|meta|presence|session\w+|userStreams)\(|openStream\(|appendChunks\(|finishStream\(|finishAndRelease\(|requestCancel\()/.test(readFileSync(join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
