import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { until } from './until.js';

export type ServiceName = 'gateway' | 'generator' | 'history';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The built entry of a service under `appRoot` (the checkout, or a copy of its build elsewhere). */
export function entryOf(name: ServiceName, appRoot = root): string {
  const path = `${appRoot}dist/apps/${name}/apps/${name}/src/main.js`;
  if (!existsSync(path)) throw new Error(`${path} is missing: run "npm run build" first (npm test does)`);
  return path;
}

/** One service as a real child process running the built code, as `npm start` runs it. */
export class ServiceProcess {
  readonly logs: string[] = [];
  private child?: ChildProcess;

  private constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly appRoot: string,
  ) {}

  /** `appRoot` (ending in '/') runs a service from another tree, e.g. a production-only install. */
  static async start(name: ServiceName, env: Record<string, string>, waitFor: 'live' | 'ready' = 'ready', appRoot = root): Promise<ServiceProcess> {
    const service = new ServiceProcess(name, await freePort(), env, appRoot);
    await service.launch(waitFor);
    return service;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async launch(waitFor: 'live' | 'ready' = 'ready'): Promise<void> {
    this.child = spawn(process.execPath, [entryOf(this.name, this.appRoot)], {
      cwd: this.appRoot,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      stream.on('data', (data: Buffer) => {
        this.logs.push(data.toString());
        if (this.logs.length > 500) this.logs.shift();
      });
    }
    const child = this.child;
    const gone = () => child.exitCode !== null || child.signalCode !== null;
    // until() takes a throw for "not yet": a process that is gone ends the wait as a value instead.
    const outcome = await until(async () => (gone() ? 'exited' : (await fetch(`${this.url}/health/${waitFor}`)).ok && 'ready'), 30_000, `${this.name} ${waitFor}`).catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${this.logs.join('').slice(-3000)}`);
      },
    );
    if (outcome === 'exited') throw new Error(`${this.name} exited with ${child.exitCode ?? child.signalCode}:\n${this.logs.join('')}`);
  }

  /** SIGKILL: no shutdown hooks run, locks stay in Redis until they expire. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill(signal);
    });
  }
}
