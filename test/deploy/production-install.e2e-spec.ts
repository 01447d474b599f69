import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DoneEventData, MetaEventData } from '@app/contracts';
import { expectGapless, storedReply } from '../support/history-probe.js';
import { TestRedis } from '../support/redis-server.js';
import { ServiceProcess } from '../support/service-process.js';
import { readStream } from '../support/sse-reader.js';

const run = promisify(execFile);
const residentMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The tree the production image ships (Dockerfile: `npm prune --omit=dev`, then package.json,
 * node_modules, dist and kb): installed from npm's cache without devDependencies, with a copy of
 * the build (a symlink would let Node resolve packages from the checkout's full node_modules).
 */
describe('the production install (runtime dependencies only)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chat-prod-'));
  const appRoot = `${dir}/`;
  let redis: TestRedis;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    for (const file of ['package.json', 'package-lock.json']) cpSync(join(repo, file), join(dir, file));
    await run('npm', ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'], { cwd: dir, env: { ...process.env, NODE_ENV: 'production' } });
    cpSync(join(repo, 'dist'), join(dir, 'dist'), { recursive: true });
    cpSync(join(repo, 'kb'), join(dir, 'kb'), { recursive: true });
  }, 240_000);

  afterAll(async () => {
    for (const service of services.reverse()) await service.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('has no devDependency installed', () => {
    expect(existsSync(join(dir, 'node_modules/jest'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules/typescript'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules/bullmq'))).toBe(true);
  });

  it('starts history, generator and gateway from that tree and streams a reply that history stores', async () => {
    redis = await TestRedis.start();
    const env = {
      NODE_ENV: 'production',
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'prodinstall',
      HISTORY_DATA_DIR: join(dir, 'data/history'),
      PACING_MS: '5',
    };
    const history = await ServiceProcess.start('history', env, 'ready', appRoot);
    services.push(history);
    // A new embedded database is initialised in a child process: initdb's ~700 MB of WebAssembly
    // memory leaves with it (history stayed at ~850 MB when it ran initdb itself; now ~300 MB).
    expect(residentMb(history.pid!)).toBeLessThan(450);
    services.push(await ServiceProcess.start('generator', env, 'ready', appRoot));
    const gateway = await ServiceProcess.start('gateway', { ...env, HISTORY_URL: history.url }, 'ready', appRoot);
    services.push(gateway);

    const res = await readStream(`${gateway.url}/api/v1/chat/unified/stream`, {
      body: { message: 'How do I configure the Redis connection?', user_id: 'prod' },
    });
    expect(res.status).toBe(200);
    const done = res.json<DoneEventData>('done');
    expect(done.status).toBe('completed');
    expect(done.persisted).toBe(true);
    expectGapless(res.chunks.map((c) => c.seq));
    const meta = res.json<MetaEventData>('meta');
    expect((await storedReply(gateway.url, meta.session_id, meta.stream_id)).content).toBe(res.chunks.map((c) => c.text).join(''));
  }, 120_000);
});
