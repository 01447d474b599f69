import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const containersConf = fileURLToPath(new URL('./containers.conf', import.meta.url));

/** runc and the ulimits this kind of host accepts, unless the caller chose its own podman settings. */
const podmanEnv = { ...process.env, CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? containersConf };

/** Runs a command to completion; a failure carries the end of its output. */
async function sh(command: string, args: string[], env: NodeJS.ProcessEnv = podmanEnv): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd: root, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${`${e.stdout ?? ''}\n${e.stderr ?? ''}`.slice(-4000)}`, { cause: err });
  }
}

/**
 * The product's docker-compose.yml run by podman-compose under a project name of its own, so
 * its containers, volumes and network are told apart from anyone else's and removed by name.
 */
export class ComposeProject {
  private readonly label: string;

  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
  ) {
    this.label = `label=io.podman.compose.project=${name}`;
  }

  private compose(args: string[]): Promise<string> {
    return sh('podman-compose', ['-p', this.name, '-f', 'docker-compose.yml', ...args], { ...podmanEnv, ...this.env });
  }

  /**
   * The services' image from the product's Dockerfile (gateway, generator and history share it).
   * The image it replaces is removed (when no container uses it): repeated runs keep only the
   * build cache, not one more copy of the image each.
   */
  async build(): Promise<string> {
    const image = (parse(readFileSync(`${root}docker-compose.yml`, 'utf8'), { merge: true }) as { services: { gateway: { image: string } } }).services.gateway.image;
    const idOf = () => sh('podman', ['image', 'inspect', '-f', '{{.Id}}', image]).then((out) => out.trim(), () => undefined);
    const before = await idOf();
    const out = await this.compose(['build', 'gateway']);
    if (before && before !== (await idOf())) await sh('podman', ['rmi', before]).catch(() => undefined);
    return out;
  }

  /** The services `docker compose up` starts: podman-compose 1.0.3 knows no profiles, so they are named. */
  up(): Promise<string> {
    const { services } = parse(readFileSync(`${root}docker-compose.yml`, 'utf8'), { merge: true }) as { services: Record<string, { profiles?: string[] }> };
    return this.compose(['up', '-d', '--no-build', ...Object.keys(services).filter((name) => !services[name].profiles)]);
  }

  /** Names of the project's containers, of one service or all. */
  async containers(service?: string): Promise<string[]> {
    const filters = ['--filter', this.label, ...(service ? ['--filter', `label=com.docker.compose.service=${service}`] : [])];
    const out = await sh('podman', ['ps', '-a', ...filters, '--format', '{{.Names}}']);
    return out.split('\n').filter(Boolean).sort();
  }

  podman(args: string[]): Promise<string> {
    return sh('podman', args);
  }

  async inspect(container: string, format: string): Promise<string> {
    return (await sh('podman', ['inspect', '-f', format, container])).trim();
  }

  /** The end of every container's log, for a failure message. */
  async logs(lines = 30): Promise<string> {
    const parts: string[] = [];
    for (const name of await this.containers().catch(() => [])) {
      const out = await run('podman', ['logs', '--tail', String(lines), name], { env: podmanEnv }).catch(() => undefined);
      parts.push(`--- ${name}\n${out ? `${out.stdout}${out.stderr}` : '(no log)'}`);
    }
    return parts.join('\n');
  }

  /** compose down -v, then whatever it leaves: containers, volumes and the network of the project. */
  async down(): Promise<void> {
    await this.compose(['down', '-v']).catch(() => undefined);
    const left = await this.containers().catch(() => []);
    if (left.length) await sh('podman', ['rm', '-f', ...left]).catch(() => undefined);
    const volumes = (await sh('podman', ['volume', 'ls', '-q', '--filter', this.label]).catch(() => '')).split('\n').filter(Boolean);
    if (volumes.length) await sh('podman', ['volume', 'rm', '-f', ...volumes]).catch(() => undefined);
    await sh('podman', ['network', 'rm', '-f', `${this.name}_default`]).catch(() => undefined);
  }
}
