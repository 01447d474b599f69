import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DoneEventData, KbDocumentCreated } from '@app/contracts';
import { termsOf } from '@app/knowledge';
import { FakeModelServer } from '../support/fake-model-server.js';
import { kbCli } from '../support/kb-cli.js';
import { readStream } from '../support/sse-reader.js';
import { TestStack } from '../support/test-stack.js';

// Retrieval for GENERATOR_PROVIDER=openai, hybrid (EMBEDDINGS_BASE_URL set): the fake model
// server sees the knowledge base's passages in the system prompt and embeds sections at
// ingestion and questions at question time; the reply's `done.sources` names the passages.
const FLANGEWIDGET = 'Turn the flangewidget dial to notch seven for calibration.';

describe('knowledge base with the openai provider and embeddings', () => {
  let model: FakeModelServer;
  let stack: TestStack;
  let url: string;
  let dir: string;
  beforeAll(async () => {
    model = await FakeModelServer.start('Noted.');
    stack = await TestStack.start({
      env: {
        GENERATOR_PROVIDER: 'openai',
        LLM_BASE_URL: model.baseUrl,
        LLM_MODEL: 'test-model',
        EMBEDDINGS_BASE_URL: model.baseUrl,
        EMBEDDINGS_MODEL: 'fake-embeddings',
      },
    });
    url = stack.gateway.url;
    dir = mkdtempSync(join(tmpdir(), 'kb-cli-'));
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const ask = async (message: string) => {
    const res = await readStream(`${url}/api/v1/chat/unified/stream`, { body: { message, user_id: 'kb-user' } });
    return res.json<DoneEventData>('done');
  };
  const add = async (body: unknown) => {
    const res = await fetch(`${url}/api/v1/kb/documents?user_id=admin`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    return (await res.json()) as KbDocumentCreated;
  };

  it('embeds the shipped articles at first start and puts the best passages in the prompt', async () => {
    expect(model.embedded.some((text) => text.startsWith('Configuration\n\nRedis'))).toBe(true);
    const done = await ask('Which environment variable sets the Redis URL?');
    expect(done.sources[0].ref).toMatch(/^product\/configuration\.md/);
    expect(model.lastSystemPrompt()).toContain('### Configuration — Redis');
    expect(model.embedded.at(-1)).toBe('Which environment variable sets the Redis URL?');
  }, 30_000);

  it('gives the model a document added through the API, cites it with its URL, and forgets it once deleted', async () => {
    const doc = await add({ title: 'Zorblax turbines', content: '# Zorblax\n\nA zorblax turbine spins at 42 rpm in its fast mode.', source_url: 'https://example.com/zorblax' });
    expect(model.embedded).toContain('Zorblax turbines\n\nA zorblax turbine spins at 42 rpm in its fast mode.');

    const done = await ask('How fast does a zorblax turbine spin?');
    expect(model.lastSystemPrompt()).toContain('### Zorblax turbines\n\nA zorblax turbine spins at 42 rpm');
    expect(done.sources[0]).toEqual({ title: 'Zorblax turbines', ref: `documents/${doc.document_id}`, url: 'https://example.com/zorblax' });

    expect((await fetch(`${url}/api/v1/kb/documents/${doc.document_id}?user_id=admin`, { method: 'DELETE' })).status).toBe(200);
    const after = await ask('How fast does a zorblax turbine spin?');
    expect(model.lastSystemPrompt()).not.toContain('42 rpm');
    expect(after.sources.map((s) => s.title)).not.toContain('Zorblax turbines');
  }, 60_000);

  it('gives the model a document added through the CLI', async () => {
    writeFileSync(join(dir, 'quibbleforge.md'), '# Quibbleforge\n\nThe quibbleforge smelts copper at 1085 degrees.\n');
    const added = await kbCli(['add', join(dir, 'quibbleforge.md'), '--url', 'https://example.com/qf', '--user', 'admin'], { GATEWAY_URL: url });
    expect(added.code).toBe(0);
    const done = await ask('At what temperature does the quibbleforge smelt copper?');
    expect(model.lastSystemPrompt()).toContain('1085 degrees');
    expect(done.sources[0]).toMatchObject({ title: 'Quibbleforge', url: 'https://example.com/qf' });
  }, 60_000);

  it('finds by meaning a passage that shares no word with the question (vector ranking fused with text)', async () => {
    await add({ title: 'Flangewidget calibration', content: FLANGEWIDGET, format: 'text' });
    const question = 'flangewidgt calibratoin';
    // No search term in common: the text ranking alone cannot find it.
    const docTerms = new Set(termsOf(`Flangewidget calibration ${FLANGEWIDGET}`));
    expect(termsOf(question).filter((t) => docTerms.has(t))).toEqual([]);

    const done = await ask(question);
    expect(model.lastSystemPrompt()).toContain('notch seven');
    expect(done.sources.map((s) => s.title)).toContain('Flangewidget calibration');

    // An unrelated question does not drag it in: vector-only matches must be similar enough.
    await ask('What is pacing?');
    expect(model.lastSystemPrompt()).not.toContain('notch seven');
  }, 60_000);
});
