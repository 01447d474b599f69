// `npm run bench -- --cluster`: the stack's Redis as a six-node Redis Cluster (three masters, each
// with one replica) on free loopback ports, like test/support/redis-cluster.ts but lean: no
// failover helpers, and no persistence, like the bench's single redis-server, so that the two
// compare. Every node is the bench's child, stopped by its pid; the temp dir goes with them.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { stopChild, track } from './children.mjs';
import { freePort, until } from './ports.mjs';

const run = promisify(execFile);
const SIZE = 6;

const logOf = (dir) => (existsSync(join(dir, 'redis.log')) ? readFileSync(join(dir, 'redis.log'), 'utf8').slice(-1_500) : '(no log)');

/** A plain connection to one node (follows no redirection): for INFO, ROLE, SLOWLOG. */
function connect(port) {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined);
  return client;
}

async function launch(root, index, taken) {
  const dir = join(root, `node-${index}`);
  mkdirSync(dir);
  let port;
  let busPort;
  do port = await freePort();
  while (taken.has(port));
  do busPort = await freePort();
  while (taken.has(busPort) || busPort === port);
  taken.add(port).add(busPort);
  const options = {
    port,
    'cluster-port': busPort,
    bind: '127.0.0.1',
    'cluster-enabled': 'yes',
    'cluster-config-file': 'nodes.conf',
    'cluster-node-timeout': 5_000,
    appendonly: 'no',
    save: '',
    dir,
    logfile: 'redis.log',
  };
  const child = track(spawn('redis-server', Object.entries(options).flatMap(([k, v]) => [`--${k}`, String(v)]), { stdio: 'ignore' }), `redis-${index}`);
  const client = connect(port);
  await until(async () => {
    if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited: ${logOf(dir)}`);
    if (client.status !== 'ready') await client.connect().catch(() => undefined);
    return (await client.ping()) === 'PONG';
  }, 20_000, `redis-server on ${port}`).catch(async (err) => {
    client.disconnect();
    await stopChild(child, 1_000);
    throw new Error(`${err.message}\n${logOf(dir)}`);
  });
  return { port, child, pid: child.pid, client };
}

/**
 * Until every node says cluster_state:ok and every master has a replica whose link is up (the
 * replicas' initial sync is done before anything is measured). Returns each node's ROLE reply.
 */
async function waitReady(nodes) {
  return until(async () => {
    const infos = await Promise.all(nodes.map((n) => n.client.cluster('INFO')));
    if (!infos.every((info) => /cluster_state:ok/.test(info) && /cluster_slots_ok:16384/.test(info))) return undefined;
    const roles = await Promise.all(nodes.map((n) => n.client.role()));
    const masters = roles.filter((r) => r[0] === 'master');
    const replicas = roles.filter((r) => r[0] === 'slave');
    const synced = masters.length === SIZE / 2 && masters.every((r) => r[2].length > 0) && replicas.every((r) => r[3] === 'connected');
    return synced ? roles : undefined;
  }, 30_000, 'cluster_state:ok and every replica in sync');
}

/**
 * Six nodes, clustered. Masters are named redis-m1…m3 (by port), each replica redis-r<i> after its
 * master: the names the /proc sampler and the reports use.
 */
export async function startRedisCluster() {
  const root = mkdtempSync(join(tmpdir(), 'bench-redis-cluster-'));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  const nodes = [];
  const stop = async () => {
    for (const n of nodes) n.client.disconnect();
    await Promise.all(nodes.map((n) => stopChild(n.child, 2_000)));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const taken = new Set();
    for (let i = 0; i < SIZE; i++) nodes.push(await launch(root, i, taken));
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'], { timeout: 30_000 });
    const roles = await waitReady(nodes);
    const masters = nodes.filter((_, i) => roles[i][0] === 'master').sort((a, b) => a.port - b.port);
    masters.forEach((m, i) => (m.name = `redis-m${i + 1}`));
    nodes.forEach((n, i) => {
      if (roles[i][0] === 'slave') n.name = `redis-r${masters.findIndex((m) => m.port === roles[i][2]) + 1}`;
    });
    return {
      /** `REDIS_CLUSTER_NODES` for the services. */
      nodeList: addresses.join(','),
      /** Name → pid of every node: redis-m1…m3, redis-r1…r3. */
      pids: Object.fromEntries(nodes.map((n) => [n.name, n.pid]).sort(([a], [b]) => a.localeCompare(b))),
      /** Name → connection of each master: command stats and SLOWLOG are summed over these. */
      masterClients: Object.fromEntries(masters.map((m) => [m.name, m.client])),
      masterPids: masters.map((m) => m.pid),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
