import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KbDocumentList } from '@app/contracts';
import { TestRedis } from '../../../test/support/redis-server.js';
import { ServiceProcess } from '../../../test/support/service-process.js';

// The built history's first start on a new embedded directory: its set-up child (initdb,
// migrations, the shipped knowledge base) leaves a directory that history serves and reopens.
describe('history on a new embedded data directory', () => {
  let redis: TestRedis;
  let dir: string;
  beforeAll(async () => {
    redis = await TestRedis.start();
    dir = mkdtempSync(join(tmpdir(), 'history-new-dir-'));
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const documents = async (history: ServiceProcess) => (await (await fetch(`${history.url}/kb/documents`)).json()) as KbDocumentList;

  it('starts migrated with the shipped knowledge base, and reopens it without loading it again', async () => {
    const env = { REDIS_URL: redis.url, REDIS_PREFIX: 'newdir', HISTORY_DATA_DIR: join(dir, 'data') };
    const first = await ServiceProcess.start('history', env);
    const loaded = await documents(first).finally(() => first.stop());
    expect(loaded.documents.map((d) => d.path)).toEqual(expect.arrayContaining(['product/configuration.md']));
    expect(loaded.version).toBe(1);

    const again = await ServiceProcess.start('history', env);
    const reopened = await documents(again).finally(() => again.stop());
    expect(reopened).toEqual(loaded);
  }, 60_000);

  it("relays the set-up child's warnings to history's log", async () => {
    const env = { REDIS_URL: redis.url, REDIS_PREFIX: 'newdir-nokb', HISTORY_DATA_DIR: join(dir, 'nokb'), KB_DIR: join(dir, 'missing') };
    const history = await ServiceProcess.start('history', env);
    const list = await documents(history).finally(() => history.stop());
    expect(list.documents).toEqual([]);
    expect(history.logs.join('')).toContain('knowledge base folder (KB_DIR)');
  }, 60_000);
});
