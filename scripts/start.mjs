#!/usr/bin/env node
// `npm start`: builds what is missing, makes sure a Redis answers (starting a private
// redis-server when none does), then runs history, GENERATORS generator processes (default 2)
// and the gateway as separate processes under a supervisor: one that exits unexpectedly is
// restarted with backoff while the others keep serving. Ctrl+C drains and stops them in order,
// and the private Redis last; a second Ctrl+C stops everything at once.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { freePort } from './lib/free-port.mjs';
import { Supervisor } from './lib/supervisor.mjs';

const root = new URL('..', import.meta.url).pathname;
const env = { ...process.env };
const supervisor = new Supervisor({ cwd: root });
const log = (line) => supervisor.log(line);

const entry = (app) => `${root}dist/apps/${app}/apps/${app}/src/main.js`;
/** The internal services answer only on this machine: history has unauthenticated routes. */
const INTERNAL_HOST = '127.0.0.1';
/** Per group of the ordered stop; the services' own shutdown deadline is 15 s. */
const STOP_GRACE_MS = 20_000;

function positiveInt(name, fallback, max) {
  const raw = env[name] ?? String(fallback);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    log(`${name} must be a whole number from 1 to ${max}, got "${raw}"`);
    process.exit(1);
  }
  return value;
}

function pingRedis(url, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG') || data.toString().startsWith('-NOAUTH')));
  });
}

async function waitReady(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const generators = positiveInt('GENERATORS', 2, 64);
const gatewayPort = Number(env.PORT ?? 7000);
const historyPort = Number(env.HISTORY_PORT ?? 7002);
const generatorPort = Number(env.GENERATOR_PORT ?? 7001);

let stopRequested = false;
async function shutdown() {
  if (stopRequested) {
    log('second interrupt: stopping everything now');
    supervisor.killAll();
    process.exit(130);
  }
  stopRequested = true;
  log('stopping: the gateway drains its streams, then the generators finish their jobs (Ctrl+C again to force)');
  const generatorNames = [...supervisor.services.keys()].filter((n) => n.startsWith('generator'));
  await supervisor.stop([['gateway'], generatorNames, ['history'], ['redis']], STOP_GRACE_MS);
  log('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
// Should the supervisor itself fail, it takes its children with it rather than orphaning them.
process.on('uncaughtException', (err) => {
  log(`supervisor failed: ${err.stack ?? err}`);
  supervisor.killAll();
  process.exit(1);
});

// 1. Build if needed.
if (!['gateway', 'generator', 'history'].every((app) => existsSync(entry(app)))) {
  log('building services (first run)…');
  if (spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
}
if (!existsSync(`${root}dist/web/index.html`) && existsSync(`${root}apps/web/vite.config.ts`)) {
  log('building the web UI (first run)…');
  if (spawnSync('npm', ['run', 'build:web'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
}

// 2. Redis.
env.REDIS_URL ??= 'redis://127.0.0.1:6379';
/** The private Redis's port, when this script starts one. */
let privateRedisPort = 0;
if (!(await pingRedis(env.REDIS_URL))) {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (which.status !== 0) {
    log(`no Redis answers at ${env.REDIS_URL} and redis-server is not installed.`);
    log('Install it (Debian/Ubuntu: "sudo apt-get install redis-server"; macOS: "brew install redis"),');
    log('or point REDIS_URL at a running Redis, then run "npm start" again.');
    process.exit(1);
  }
  const port = await freePort([gatewayPort, historyPort, generatorPort]);
  privateRedisPort = port;
  const dir = `${root}data/redis`;
  mkdirSync(dir, { recursive: true });
  log(`no Redis at ${env.REDIS_URL}: starting a private redis-server on port ${port} (data in ${dir})`);
  // AOF on: a restarted private Redis (the supervisor restarts it too) keeps the queue and logs.
  supervisor.add('redis', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''], env, port);
  env.REDIS_URL = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await pingRedis(env.REDIS_URL)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

// 3. Services. Each generator keeps its port across restarts; the first one takes GENERATOR_PORT.
env.HISTORY_URL ??= `http://127.0.0.1:${historyPort}`;
const generatorPorts = [generatorPort];
while (generatorPorts.length < generators) generatorPorts.push(await freePort([gatewayPort, historyPort, privateRedisPort, ...generatorPorts]));

supervisor.add('history', process.execPath, [entry('history')], { ...env, PORT: String(historyPort), HOST: INTERNAL_HOST }, historyPort);
generatorPorts.forEach((port, i) => {
  supervisor.add(`generator-${i + 1}`, process.execPath, [entry('generator')], { ...env, PORT: String(port), HOST: INTERNAL_HOST }, port);
});
supervisor.add('gateway', process.execPath, [entry('gateway')], { ...env, PORT: String(gatewayPort) }, gatewayPort);

const probes = [gatewayPort, historyPort, ...generatorPorts].map((port) => `http://127.0.0.1:${port}/health/ready`);
if ((await Promise.all(probes.map((url) => waitReady(url, 60_000)))).every(Boolean)) {
  log(`ready: open http://localhost:${gatewayPort} (${generators} generator${generators > 1 ? 's' : ''}; Ctrl+C stops everything)`);
} else {
  log('not every service became ready within 60 s; see the logs above');
}
