import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { kbVersionKey, type DoneEventData, type KbDocumentCreated, type KbDocumentList } from '@app/contracts';
import { Redis } from 'ioredis';
import { kbCli } from '../support/kb-cli.js';
import { readStream } from '../support/sse-reader.js';
import { databaseKinds } from '../support/test-database.js';
import { TestStack } from '../support/test-stack.js';

// The knowledge base end to end with the built-in provider: documents added through the API and
// through the CLI are quoted and cited by the next answer, removed ones no longer are, and bad
// documents are refused without storing anything.
const ZORBLAX = '# Zorblax turbines\n\nA zorblax turbine spins at 42 rpm in its fast mode.\n\n## Maintenance\n\nOil the zorblax bearings every week.\n';

describe.each(databaseKinds())('knowledge base with the built-in provider (%s)', (database) => {
  let stack: TestStack;
  let url: string;
  let dir: string;
  beforeAll(async () => {
    stack = await TestStack.start({ database });
    url = stack.gateway.url;
    dir = mkdtempSync(join(tmpdir(), 'kb-cli-'));
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const ask = async (message: string) => {
    const res = await readStream(`${url}/api/v1/chat/unified/stream`, { body: { message, user_id: 'kb-user' } });
    return { text: res.chunks.map((c) => c.text).join(''), done: res.json<DoneEventData>('done') };
  };
  const list = async () => (await (await fetch(`${url}/api/v1/kb/documents`)).json()) as KbDocumentList;
  const post = (body: unknown) =>
    fetch(`${url}/api/v1/kb/documents?user_id=admin`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('loads the shipped kb/ folder on first start', async () => {
    const { documents, version } = await list();
    expect(documents.map((d) => d.path)).toEqual(expect.arrayContaining(['product/configuration.md', 'general/docker-basics.md']));
    expect(version).toBeGreaterThanOrEqual(1);
    const { done } = await ask('Which environment variable sets the Redis URL?');
    expect(done.sources[0].ref).toMatch(/^product\/configuration\.md/);
  }, 30_000);

  it('cites a document added through the API in the next answer, and no longer once it is deleted', async () => {
    const before = await ask('How fast does a zorblax turbine spin?');
    expect(before.done.sources).toEqual([]);

    const res = await post({ title: 'Zorblax turbines', content: ZORBLAX, source_url: 'https://example.com/zorblax' });
    expect(res.status).toBe(201);
    const doc = (await res.json()) as KbDocumentCreated;
    expect(doc).toMatchObject({ title: 'Zorblax turbines', format: 'markdown', sections: 2, path: `documents/${doc.document_id}` });
    // The version a response cache can key on: in Redis as soon as the change is answered.
    const redis = new Redis(stack.redis.url);
    try {
      expect(await redis.get(kbVersionKey(stack.env.REDIS_PREFIX))).toBe(String(doc.version));
    } finally {
      redis.disconnect();
    }

    const after = await ask('How fast does a zorblax turbine spin?');
    expect(after.text).toContain('42 rpm');
    expect(after.done.sources[0]).toEqual({ title: 'Zorblax turbines', ref: `documents/${doc.document_id}`, url: 'https://example.com/zorblax' });

    const deleted = await fetch(`${url}/api/v1/kb/documents/${doc.document_id}?user_id=admin`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ success: true, document_id: doc.document_id, version: doc.version + 1 });
    const gone = await ask('How fast does a zorblax turbine spin?');
    expect(gone.text).not.toContain('42 rpm');
    expect(gone.done.sources).toEqual([]);
    expect((await fetch(`${url}/api/v1/kb/documents/${doc.document_id}?user_id=admin`, { method: 'DELETE' })).status).toBe(404);
  }, 60_000);

  it('adds a folder through the CLI (npm run kb), lists it and removes it, and answers follow the changes', async () => {
    writeFileSync(join(dir, 'quibbleforge.md'), '# Quibbleforge\n\nThe quibbleforge smelts copper at 1085 degrees.\n');
    writeFileSync(join(dir, 'notes.txt'), 'Snorkelwash rinses the quibbleforge crucible with brine.\n');
    const env = { GATEWAY_URL: url };
    const added = await kbCli(['add', dir, '--user', 'admin'], env);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const ids = [...added.stdout.matchAll(/^added (\S+)/gm)].map((m) => m[1]);
    expect(ids).toHaveLength(2);

    const listed = await kbCli(['list'], env);
    expect(listed.stdout).toContain('Quibbleforge');
    expect(listed.stdout).toMatch(/notes/);

    const answer = await ask('At what temperature does the quibbleforge smelt copper?');
    expect(answer.text).toContain('1085 degrees');
    expect(answer.done.sources.map((s) => s.title)).toContain('Quibbleforge');

    const removed = await kbCli(['remove', ...ids, '--user', 'admin'], env);
    expect(removed.code).toBe(0);
    const after = await ask('At what temperature does the quibbleforge smelt copper?');
    expect(after.text).not.toContain('1085 degrees');
    expect((await list()).documents.some((d) => d.title === 'Quibbleforge')).toBe(false);
  }, 60_000);

  it('refuses bad documents and ids with a 4xx and stores nothing', async () => {
    const before = await list();
    const cases: Array<[unknown, number]> = [
      [{ title: 'Empty', content: '' }, 400],
      [{ title: 'Blank', content: '   \n\t ' }, 400],
      [{ title: '', content: 'text' }, 400],
      [{ content: 'no title' }, 400],
      [{ title: 'Big', content: 'x'.repeat(48 * 1024 + 1) }, 400],
      [{ title: 'Bytes', content: 'caf\uFFFD broken bytes' }, 400],
      [{ title: 'Nul', content: 'a\u0000b' }, 400],
      [{ title: 'Lone surrogate', content: 'a\uD800b' }, 400],
      [{ title: 'Url', content: 'text', source_url: 'javascript:alert(1)' }, 400],
      [{ title: 'Format', content: 'text', format: 'html' }, 400],
      [{ title: 'Extra', content: 'text', owner: 'me' }, 400],
      [{ title: 'Headings only', content: '# Only a title\n' }, 422],
      [['an', 'array'], 400],
    ];
    for (const [body, status] of cases) expect([body, (await post(body)).status]).toEqual([body, status]);

    // Invalid UTF-8 bytes in the raw body.
    const raw = Buffer.concat([Buffer.from('{"title":"Raw","content":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect((await fetch(`${url}/api/v1/kb/documents?user_id=admin`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: raw })).status).toBe(400);
    // Over the body limit.
    expect((await post({ title: 'Huge', content: 'x'.repeat(70_000) })).status).toBe(413);
    for (const id of ['not-a-uuid', '123', '%00', 'a'.repeat(300)]) {
      expect([id, (await fetch(`${url}/api/v1/kb/documents/${id}?user_id=admin`, { method: 'DELETE' })).status]).toEqual([id, 400]);
    }
    expect(await list()).toEqual(before);
  }, 60_000);

  it('keeps answering from the loaded knowledge base while history is down', async () => {
    await stack.history.stop();
    try {
      const { done } = await ask('Which environment variable sets the Redis URL?');
      expect(done.sources[0].ref).toMatch(/^product\/configuration\.md/);
      expect((await fetch(`${url}/api/v1/kb/documents`)).status).toBe(503);
    } finally {
      await stack.history.launch();
    }
  }, 60_000);
});
