// Keeps `npm start`'s processes running: prefixed logs, a restart with backoff when one exits
// unexpectedly (the others keep serving), and an ordered, bounded stop.
//
// Why not pm2 or another process manager: pm2 keeps a daemon that outlives the terminal (Ctrl+C
// would no longer stop the product), is AGPL-licensed, and cannot express "stop the gateway,
// then the generators, then history, then Redis, each when the one before has drained". What is
// needed here is small: spawn, prefix lines, restart with a delay, stop in order.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** First restart delay; doubled after each quick crash, up to MAX_DELAY_MS. */
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
/** A process that ran this long before it exited is restarted at the first delay again. */
const STABLE_AFTER_MS = 30_000;

/** Delay before the restart that follows `crashes` quick crashes in a row (0-based). */
function restartDelay(crashes) {
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** crashes);
}

export class Supervisor {
  /** @type {Map<string, Service>} */
  services = new Map();
  stopping = false;

  constructor({ cwd, write = (line) => process.stdout.write(line) }) {
    this.cwd = cwd;
    this.write = write;
  }

  log(line) {
    this.write(`[start] ${line}\n`);
  }

  /** Starts `name` and keeps it running until stop(); `port` only labels its log lines. */
  add(name, command, args, env, port) {
    const service = new Service(this, name, command, args, env, port);
    this.services.set(name, service);
    service.launch();
    return service;
  }

  /**
   * Stops the services group by group (the gateway stops taking requests before the generators
   * go, the generators finish their jobs before history goes, Redis last). Each group gets
   * `graceMs` after SIGTERM before it is killed.
   */
  async stop(groups, graceMs) {
    this.stopping = true;
    for (const service of this.services.values()) service.cancelRestart();
    for (const names of groups) {
      const members = names.map((n) => this.services.get(n)).filter((s) => s?.running);
      await Promise.all(members.map((s) => s.terminate(graceMs)));
    }
    await Promise.all([...this.services.values()].filter((s) => s.running).map((s) => s.terminate(graceMs)));
  }

  /** Last resort (a second Ctrl+C, or the supervisor itself failing): kill everything now. */
  killAll() {
    this.stopping = true;
    for (const service of this.services.values()) {
      service.cancelRestart();
      if (service.running) service.child.kill('SIGKILL');
    }
  }
}

class Service {
  child = undefined;
  restarts = 0;
  crashes = 0;
  startedAt = 0;
  restartTimer = undefined;
  lastLine = '';

  constructor(supervisor, name, command, args, env, port) {
    Object.assign(this, { supervisor, name, command, args, env, port });
    this.tag = `[${name}]`.padEnd(13);
  }

  get running() {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid() {
    return this.child?.pid;
  }

  launch() {
    const { supervisor } = this;
    // Own process group: a Ctrl+C in the terminal reaches only the supervisor, which then stops
    // the services in order instead of all of them dying at once (Redis before the generators).
    const child = spawn(this.command, this.args, { cwd: supervisor.cwd, env: this.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    this.startedAt = Date.now();
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.lastLine = line;
        supervisor.write(`${this.tag} ${line}\n`);
      });
    }
    child.on('error', (err) => supervisor.log(`${this.name} could not start: ${err.message}`));
    child.on('exit', (code, signal) => this.exited(code, signal));
    const where = this.port ? `, port ${this.port}` : '';
    supervisor.log(`${this.name} ${this.restarts ? `restarted (restart ${this.restarts})` : 'started'} (pid ${child.pid}${where})`);
  }

  exited(code, signal) {
    if (this.supervisor.stopping) return;
    if (Date.now() - this.startedAt >= STABLE_AFTER_MS) this.crashes = 0;
    const delay = restartDelay(this.crashes);
    this.crashes += 1;
    const cause = signal ? `killed by ${signal}` : `exit code ${code}`;
    const last = this.lastLine ? `; last output: ${this.lastLine.slice(0, 200)}` : '';
    this.supervisor.log(`${this.name} exited unexpectedly (${cause}${last}); restarting in ${delay} ms`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.restarts += 1;
      this.launch();
    }, delay);
  }

  cancelRestart() {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  terminate(graceMs) {
    const child = this.child;
    return new Promise((resolve) => {
      if (!this.running) return resolve();
      const force = setTimeout(() => {
        this.supervisor.log(`${this.name} did not stop within ${graceMs} ms; killing it`);
        child.kill('SIGKILL');
      }, graceMs);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
