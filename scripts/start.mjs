#!/usr/bin/env node
// `npm start`: builds what is missing, makes sure a Redis answers (starting a private
// redis-server when none does), then runs history, generator and gateway as separate processes
// with prefixed logs. Ctrl+C stops them all (and the private Redis, if it started one).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { createInterface } from 'node:readline';
import { freePort } from './lib/free-port.mjs';

const root = new URL('..', import.meta.url).pathname;
const env = { ...process.env };
const gatewayPort = Number(env.PORT ?? 7000);
const children = [];
let stopping = false;

const entry = (app) => `${root}dist/apps/${app}/apps/${app}/src/main.js`;
const log = (line) => process.stdout.write(`[start] ${line}\n`);

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

function run(name, command, args, extraEnv = {}) {
  const child = spawn(command, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tag = `[${name}]`.padEnd(12);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${tag} ${line}\n`));
  }
  child.on('exit', (code, signal) => {
    if (stopping) return;
    log(`${name} exited (${signal ?? code}); stopping everything`);
    stop(1);
  });
  children.push(child);
  return child;
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

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  // Reverse order: the gateway stops taking requests before its workers go.
  for (const child of [...children].reverse()) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.on('exit', r))))).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

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
if (!(await pingRedis(env.REDIS_URL))) {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (which.status !== 0) {
    log(`no Redis answers at ${env.REDIS_URL} and redis-server is not installed.`);
    log('Install it (Debian/Ubuntu: "sudo apt-get install redis-server"; macOS: "brew install redis"),');
    log('or point REDIS_URL at a running Redis, then run "npm start" again.');
    process.exit(1);
  }
  const port = await freePort();
  const dir = `${root}data/redis`;
  mkdirSync(dir, { recursive: true });
  log(`no Redis at ${env.REDIS_URL}: starting a private redis-server on port ${port} (data in ${dir})`);
  run('redis', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '']);
  env.REDIS_URL = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await pingRedis(env.REDIS_URL)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

// 3. Services.
const historyPort = Number(env.HISTORY_PORT ?? 7002);
const generatorPort = Number(env.GENERATOR_PORT ?? 7001);
env.HISTORY_URL ??= `http://127.0.0.1:${historyPort}`;
run('history', process.execPath, [entry('history')], { PORT: String(historyPort) });
run('generator', process.execPath, [entry('generator')], { PORT: String(generatorPort) });
run('gateway', process.execPath, [entry('gateway')], { PORT: String(gatewayPort) });

if (await waitReady(`http://127.0.0.1:${gatewayPort}/health/ready`, 60_000)) {
  await waitReady(`http://127.0.0.1:${historyPort}/health/ready`, 60_000);
  log(`ready: open http://localhost:${gatewayPort} (Ctrl+C stops everything)`);
} else {
  log('the gateway did not become ready within 60 s; see the logs above');
}
