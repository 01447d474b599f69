import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { until } from './until.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** `npm start` (scripts/start.mjs) as a user runs it, with its output kept for assertions. */
export class NpmStart {
  private readonly output: string[] = [];
  readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly dataDir: string,
  ) {
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (d: Buffer) => this.output.push(d.toString()));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** Starts it with nothing listening at REDIS_URL, so it starts its own private redis-server. */
  static async start(port: number, env: Record<string, string> = {}): Promise<NpmStart> {
    const dataDir = mkdtempSync(join(tmpdir(), 'chat-start-'));
    // Four ports none of which is bound yet: each choice excludes the ones made before it.
    const ports = [port];
    for (let i = 0; i < 3; i++) ports.push(await freePort(ports));
    const [, generatorPort, historyPort, unusedRedisPort] = ports;
    const child = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        GENERATOR_PORT: String(generatorPort),
        HISTORY_PORT: String(historyPort),
        REDIS_URL: `redis://127.0.0.1:${unusedRedisPort}`, // nothing listens there
        REDIS_PREFIX: 'starttest',
        HISTORY_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        // Its private Redis keeps its data (AOF in ./data/redis) from one start to the next: a
        // question asked again must be generated again (a generator is killed under it).
        CACHE_SCOPE: 'off',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = new NpmStart(child, port, dataDir);
    try {
      await started.waitFor(/ready: open http:\/\/localhost:/, 90_000);
    } catch (err) {
      // Never ready: stop what it did start, or its processes outlive the test (and keep jest up).
      await started.interrupt();
      throw err;
    }
    return started;
  }

  get text(): string {
    return this.output.join('');
  }

  get url(): string {
    return `http://localhost:${this.port}`;
  }

  /** The private Redis it started (its port is in the log). */
  get redisUrl(): string {
    const port = /starting a private redis-server on port (\d+)/.exec(this.text)?.[1];
    if (!port) throw new Error(`no private Redis in the log:\n${this.text}`);
    return `redis://127.0.0.1:${port}`;
  }

  /** Every process the supervisor (re)started under `name`, in order, as it logged them. */
  launches(name: string): Array<{ pid: number; port: number | undefined }> {
    const line = new RegExp(`\\[start\\] ${name} (?:started|restarted \\(restart \\d+\\)) \\(pid (\\d+)(?:, port (\\d+))?\\)`, 'g');
    return [...this.text.matchAll(line)].map((m) => ({ pid: Number(m[1]), port: m[2] ? Number(m[2]) : undefined }));
  }

  /** Names of the processes it started, e.g. generator-1, generator-2. */
  started(prefix: string): string[] {
    return [...this.text.matchAll(new RegExp(`\\[start\\] (${prefix}[\\w-]*) started \\(pid`, 'g'))].map((m) => m[1]);
  }

  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return until(async () => pattern.exec(this.text) ?? undefined, timeoutMs, String(pattern)).catch((err: Error) => {
      throw new Error(`${err.message}; npm start said:\n${this.text.slice(-4000)}`);
    });
  }

  /**
   * Ctrl+C; resolves with the exit code. Should it not stop within a minute, everything it
   * logged as started is killed by pid, so a failing test leaves no process behind.
   */
  async interrupt(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGINT');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 60_000).unref());
    const code = await Promise.race([this.exited, timeout]);
    if (code === 'timeout') {
      for (const m of this.text.matchAll(/\(pid (\d+)/g)) killQuietly(Number(m[1]));
      this.child.kill('SIGKILL');
    }
    rmSync(this.dataDir, { recursive: true, force: true });
    return code === 'timeout' ? null : code;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
