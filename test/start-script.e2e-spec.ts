import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { DoneEventData } from '@app/contracts';
import { freePort, until } from './support/free-port.js';
import { readStream } from './support/sse-client.js';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('npm start', () => {
  it('starts a private redis-server when none answers, runs the three services, serves a stream on 7000, stops cleanly', async () => {
    // Port 7000 as documented; only if something else holds it (a developer's own `npm start`) another one.
    const port = (await portIsFree(7000)) ? 7000 : await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'chat-start-'));
    const logs: string[] = [];
    const child = spawn(process.execPath, ['scripts/start.mjs'], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        GENERATOR_PORT: String(await freePort()),
        HISTORY_PORT: String(await freePort()),
        REDIS_URL: `redis://127.0.0.1:${await freePort()}`, // nothing listens there
        REDIS_PREFIX: 'starttest',
        HISTORY_DATA_DIR: dataDir,
        PACING_MS: '5',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => logs.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => logs.push(d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await until(async () => logs.join('').includes('ready: open http://localhost:'), 90_000, 'npm start to be ready').catch((err: Error) => {
        throw new Error(`${err.message}\n${logs.join('').slice(-3000)}`);
      });
      const output = logs.join('');
      expect(output).toMatch(/starting a private redis-server on port \d+/);

      const res = await readStream(`http://localhost:${port}/api/v1/chat/unified/stream`, {
        body: { message: 'How do I start the product?', user_id: 'first-run' },
      });
      expect(res.status).toBe(200);
      const done = res.json<DoneEventData>('done');
      expect(done.status).toBe('completed');
      expect(done.persisted).toBe(true);
      expect(res.chunks.length).toBeGreaterThan(10);
    } finally {
      child.kill('SIGINT');
      const code = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      expect(code).toBe(0);
    }
    // Everything it started is gone: the gateway no longer answers.
    await expect(fetch(`http://localhost:${port}/health/live`)).rejects.toThrow();
  }, 150_000);
});
