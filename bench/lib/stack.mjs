// The product as separate real processes, started from the build like `npm start` does:
// a private redis-server on a free port (with --cluster the services use a six-node Redis Cluster
// instead, redis-cluster.mjs), history (PGlite in a temp dir, or a private database on
// a running PostgreSQL), gateway, generators.
// Bench-specific twin of test/support (which is TypeScript and jest-oriented).
import { spawn } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stopChild, track } from './children.mjs';
import { freePort, until } from './ports.mjs';
import { capProcess } from './cpu-cap.mjs';
import { createPrivateDatabase } from './postgres.mjs';
import { readProcessTree } from './proc-sampler.mjs';
import { startRedisCluster } from './redis-cluster.mjs';

export const root = new URL('../..', import.meta.url).pathname;
const APPS = ['gateway', 'generator', 'history'];
let buildDir = `${root}dist/apps`;

/** `appsDir`: a copy of dist/apps made by `stageBuild` (the A/B runs two); by default the run's. */
export function entryOf(app, appsDir = buildDir) {
  return `${appsDir}/${app}/apps/${app}/src/main.js`;
}

export function buildIsPresent() {
  return APPS.every((app) => existsSync(`${root}dist/apps/${app}/apps/${app}/src/main.js`));
}

/**
 * Others rebuild dist while the bench runs (a rebuild empties it for seconds): copy the build
 * once, so every level of a run starts the same code. The copy sits in a temp dir with a
 * package.json (ESM) and a link to the repo's node_modules, so imports resolve as from dist.
 */
export function snapshotBuild() {
  buildDir = stageBuild(`${root}dist/apps`);
  return () => rmSync(join(buildDir, '../..'), { recursive: true, force: true });
}

/** A copy of `appsDir` (a dist/apps) where its imports resolve as from dist; removed at exit. Returns its dist/apps. */
export function stageBuild(appsDir) {
  const dir = tempDir('bench-build-');
  for (const app of APPS) cpSync(join(appsDir, app), join(dir, 'dist/apps', app), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(`${root}node_modules`, join(dir, 'node_modules'), 'dir');
  return join(dir, 'dist/apps');
}

/** A temp dir removed when the bench exits, however it exits (error, SIGINT). */
function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A child whose output is kept (last lines only) for error messages, never echoed. With
 * BENCH_LOG_DIR set, its stdout also goes to `<dir>/<name>-<pid>.log` whole (a service's logs, and
 * what `BENCH_<APP>_NODE_ARGS=--trace-gc` prints). BENCH_PAUSE_LOG=<dir> does the same and loads
 * pause-probe.mjs into every service (its collections and event-loop stalls on the wall clock).
 */
function spawnLogged(name, command, args, options) {
  const child = track(spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] }), name);
  const logDir = process.env.BENCH_LOG_DIR ?? process.env.BENCH_PAUSE_LOG;
  if (logDir) child.stdout.pipe(createWriteStream(join(logDir, `${name}-${child.pid}.log`)));
  const tail = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (data) => {
      tail.push(data.toString());
      if (tail.length > 200) tail.shift();
    });
  }
  return { name, child, pid: child.pid, logTail: () => tail.join('').slice(-3000) };
}

async function startRedis() {
  const port = await freePort();
  const dir = tempDir('bench-redis-');
  const proc = spawnLogged('redis', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {});
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined);
  await until(async () => {
    if (proc.child.exitCode !== null) throw new Error(`redis-server exited: ${proc.logTail()}`);
    if (client.status !== 'ready') await client.connect().catch(() => undefined);
    return (await client.ping()) === 'PONG';
  }, 10_000, `redis-server on ${port}`);
  return {
    ...proc,
    url,
    client,
    async stop() {
      client.disconnect();
      await stopChild(proc.child, 2_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One service from dist, cwd = repo root (the generator reads ./kb), ready when /health/ready
 * answers. BENCH_<APP>_NODE_ARGS adds node flags to it, BENCH_<APP>_ENV settings ("K=V K2=V2")
 * to its environment (explorations, see run.mjs).
 */
export async function startService(app, env, nodeArgs = [], appsDir = undefined) {
  const port = await freePort();
  const words = (name) => process.env[`BENCH_${app.toUpperCase()}_${name}`]?.split(' ').filter(Boolean) ?? [];
  const settings = Object.fromEntries(words('ENV').map((kv) => kv.split(/=(.*)/s).slice(0, 2)));
  const probe = process.env.BENCH_PAUSE_LOG ? [`--import=${new URL('pause-probe.mjs', import.meta.url).href}`] : [];
  const proc = spawnLogged(app, process.execPath, [...probe, ...words('NODE_ARGS'), ...nodeArgs, entryOf(app, appsDir)], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env, ...settings, PORT: String(port), HOST: '127.0.0.1' },
  });
  const url = `http://127.0.0.1:${port}`;
  await until(async () => {
    if (proc.child.exitCode !== null) throw new Error(`${app} exited with ${proc.child.exitCode}: ${proc.logTail()}`);
    return (await fetch(`${url}/health/ready`)).ok;
  }, 60_000, `${app} ready`).catch((err) => {
    throw new Error(`${err.message}\n${proc.logTail()}`);
  });
  return { ...proc, app, port, url, stop: () => stopChild(proc.child, 10_000) };
}

/**
 * Redis and history live for the whole run; gateway and generators are started per target
 * (`startFrontEnd`), and kept across its levels or started per level (targets.mjs).
 */
export async function startBackEnd({ pacingMs, databaseUrl, nodeArgs = () => [], appsDir = undefined, cluster = false }) {
  const redis = await startRedis();
  // --cluster: the services on a six-node cluster; the single redis-server stays for the relay.
  let redisCluster;
  try {
    if (cluster) redisCluster = await startRedisCluster();
  } catch (err) {
    await redis.stop();
    throw err;
  }
  const dataDir = tempDir('bench-history-');
  const env = {
    ...(redisCluster ? { REDIS_CLUSTER_NODES: redisCluster.nodeList } : { REDIS_URL: redis.url }),
    REDIS_PREFIX: `bench${process.pid}`,
    HISTORY_DATA_DIR: dataDir,
    PACING_MS: String(pacingMs),
    GENERATOR_CONCURRENCY: '2000',
    // The workload asks one question again and again: it measures generation, not the cache
    // (the --cache pass turns it on).
    CACHE_SCOPE: 'off',
  };
  let history;
  let database;
  try {
    if (databaseUrl) {
      database = await createPrivateDatabase(databaseUrl);
      env.DATABASE_URL = database.url;
    }
    history = await startService('history', env, nodeArgs('history'), appsDir);
  } catch (err) {
    await database?.drop().catch(() => undefined);
    await redisCluster?.stop();
    await redis.stop();
    throw err;
  }
  env.HISTORY_URL = history.url;
  return {
    redis,
    /** The services' Redis Cluster (--cluster), else undefined: they use `redis`. */
    redisCluster,
    history,
    env,
    /** Name → pid (or process-tree reader) of what serves every level: history, Redis (each node of a cluster), PostgreSQL. */
    pids(prefix = '') {
      const redisPids = redisCluster ? redisCluster.pids : { redis: redis.pid };
      const pids = { [`${prefix}history`]: history.pid };
      for (const [name, pid] of Object.entries(redisPids)) pids[`${prefix}${name}`] = pid;
      if (database) pids[`${prefix}postgres`] = () => readProcessTree(database.postmaster);
      return pids;
    },
    /** What history stores into, in words for the report. */
    database: database ? `PostgreSQL ${database.version} (a private database on the machine's server; its processes sampled as postgres)` : 'PGlite (embedded, in a temp dir)',
    async stop() {
      await history.stop();
      await database?.drop().catch((err) => process.stderr.write(`could not drop ${database.name}: ${err.message}\n`));
      await redisCluster?.stop();
      await redis.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `nodeArgs(app)`: extra node flags per service (the profiling pass adds --cpu-prof).
 * `cap` ({ support, cores }, from cpu-cap.mjs): each generator gets that much CPU at most, set
 * once it is ready (so start-up is not slowed down). `appsDir`: start them from that staged build.
 */
export async function startFrontEnd(backEnd, generators, nodeArgs = () => [], cap, appsDir = undefined) {
  const started = await Promise.allSettled([
    startService('gateway', backEnd.env, nodeArgs('gateway'), appsDir),
    ...Array.from({ length: generators }, () => startService('generator', backEnd.env, nodeArgs('generator'), appsDir)),
  ]);
  const ok = started.filter((s) => s.status === 'fulfilled').map((s) => s.value);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.allSettled(ok.map((s) => s.stop()));
    throw failed.reason;
  }
  const [gateway, ...gens] = ok;
  const caps = cap ? gens.map((g, i) => capProcess(cap.support, g.pid, cap.cores, `generator-${i + 1}`)) : [];
  return {
    gateway,
    generators: gens,
    caps,
    async stop() {
      await Promise.allSettled(ok.map((s) => s.stop()));
      for (const c of caps) c.release();
    },
  };
}
