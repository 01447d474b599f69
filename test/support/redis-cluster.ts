import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { ClusterSeed } from '@app/platform';
import { freePort } from './free-port.js';
import { until } from './until.js';

const run = promisify(execFile);

/** The end of a node's log, for an error message. */
const readLog = (dir: string) => (existsSync(join(dir, 'redis.log')) ? readFileSync(join(dir, 'redis.log'), 'utf8').slice(-1_500) : '(no log)');

/** One redis-server of the cluster: its client port, its cluster bus port, its data directory. */
interface ClusterNode {
  port: number;
  busPort: number;
  dir: string;
  child?: ChildProcess;
}

/** Who serves a slot, as `CLUSTER SLOTS` says. */
export interface SlotOwner {
  slot: number;
  master: number;
  replicas: number[];
}

/**
 * A private Redis Cluster of six redis-server processes (three masters, three replicas, AOF on,
 * each in its own directory under one temp dir, on free ports), for tests that kill masters. Only
 * the processes this started are ever stopped, by their pids.
 *
 * Failover is quick on purpose: `cluster-node-timeout` 1 s, so a killed master's replica is
 * promoted about 2 s later. `appendfsync always`: a restarted node has every write it acknowledged.
 */
export class TestRedisCluster {
  private readonly root = mkdtempSync(join(tmpdir(), 'chat-redis-cluster-'));

  private constructor(private readonly nodes: ClusterNode[]) {}

  static async start(size = 6): Promise<TestRedisCluster> {
    const nodes: ClusterNode[] = [];
    for (let i = 0; i < size; i++) nodes.push({ port: 0, busPort: 0, dir: '' });
    const cluster = new TestRedisCluster(nodes);
    try {
      await Promise.all(nodes.map((node, i) => cluster.launchOnFreePorts(node, i)));
      const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
      await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'], { timeout: 30_000 });
      await cluster.waitHealthy();
      await cluster.waitReplicasInSync();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** `REDIS_CLUSTER_NODES` for a service: every node, though one would do. */
  get nodeList(): string {
    return this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  }

  get seeds(): ClusterSeed[] {
    return this.nodes.map((n) => ({ host: '127.0.0.1', port: n.port }));
  }

  /** Ports of the nodes that run now. */
  get livePorts(): number[] {
    return this.nodes.filter((n) => this.isRunning(n)).map((n) => n.port);
  }

  /** The master (and replicas) that own `key`'s slot (or the slot itself), asked of a live node. */
  async masterForKey(slotOrKey: number | string): Promise<SlotOwner> {
    return this.ask(this.livePorts[0], async (redis) => {
      const slot = typeof slotOrKey === 'number' ? slotOrKey : ((await redis.cluster('KEYSLOT', slotOrKey)) as number);
      const ranges = await redis.cluster('SLOTS');
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`no node serves slot ${slot}`);
      const [, , master, ...replicas] = range;
      return { slot, master: master[1], replicas: replicas.map((r) => r[1]) };
    });
  }

  /**
   * SIGKILLs the master of a slot (or key's slot) and waits until another node has taken the slot
   * and every live node says cluster_state:ok. Returns who left, who took over, and how long that took.
   */
  async killMaster(slotOrKey: number | string, timeoutMs = 15_000): Promise<{ killed: number; promoted: number; promotedAfterMs: number }> {
    const before = await this.masterForKey(slotOrKey);
    const killedAt = Date.now();
    await this.kill(before.master);
    const promoted = await until(
      async () => {
        const now = await this.masterForKey(before.slot);
        return now.master !== before.master && (await this.allHealthy()) ? now.master : undefined;
      },
      timeoutMs,
      `a replica to take over slot ${before.slot} from ${before.master}`,
    );
    return { killed: before.master, promoted, promotedAfterMs: Date.now() - killedAt };
  }

  /** SIGKILL of one node, as a crash would. */
  async kill(port: number): Promise<void> {
    const node = this.node(port);
    const child = node.child;
    if (!child || !this.isRunning(node)) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Starts a killed node again, on its port, from its own directory (nodes.conf, AOF). */
  async restart(port: number): Promise<void> {
    const node = this.node(port);
    if (this.isRunning(node)) return;
    await this.launch(node, this.nodes.indexOf(node));
  }

  /** Until every live node reports cluster_state:ok and agrees every slot is served. */
  async waitHealthy(timeoutMs = 20_000): Promise<void> {
    await until(() => this.allHealthy(), timeoutMs, 'cluster_state:ok on every node');
  }

  /**
   * Until every live replica's link to its master is up and every master has a replica. A replica
   * that never synced would refuse to take over (its data counts as too old).
   */
  async waitReplicasInSync(timeoutMs = 20_000): Promise<void> {
    await until(
      async () => {
        const views = await Promise.all(
          this.livePorts.map((port) => this.ask(port, async (redis) => ({ role: (await redis.role()) as unknown[], slots: await redis.cluster('SLOTS') }))),
        );
        // Each node's own replication state, and each node's view of the others (gossip lags a little).
        return views.every(
          ({ role, slots }) => (role[0] === 'master' ? (role[2] as unknown[]).length > 0 : role[3] === 'connected') && slots.every((range) => range.length > 3),
        );
      },
      timeoutMs,
      'every replica in sync with its master',
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.kill(n.port)));
    rmSync(this.root, { recursive: true, force: true });
  }

  private async allHealthy(): Promise<boolean> {
    const states = await Promise.all(this.livePorts.map((port) => this.ask(port, (redis) => redis.cluster('INFO') as Promise<string>)));
    return states.every((info) => /cluster_state:ok/.test(info) && /cluster_slots_ok:16384/.test(info));
  }

  /**
   * A free port can be taken by someone else between our probe and redis-server's bind (other
   * suites run on the machine): a node that cannot bind is started again on other ports.
   */
  private async launchOnFreePorts(node: ClusterNode, index: number, attempts = 3): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const taken = new Set(this.nodes.flatMap((n) => [n.port, n.busPort]));
      do node.port = await freePort();
      while (taken.has(node.port));
      do node.busPort = await freePort();
      while (taken.has(node.busPort) || node.busPort === node.port);
      try {
        return await this.launch(node, index);
      } catch (err) {
        await this.kill(node.port);
        if (attempt >= attempts) throw err;
      }
    }
  }

  private async launch(node: ClusterNode, index: number): Promise<void> {
    node.dir ||= join(this.root, `node-${index}`);
    mkdirSync(node.dir, { recursive: true });
    // Options of redis.conf, given on the command line.
    const options = {
      port: node.port,
      'cluster-port': node.busPort,
      bind: '127.0.0.1',
      'cluster-enabled': 'yes',
      'cluster-config-file': 'nodes.conf',
      'cluster-node-timeout': 1_000,
      appendonly: 'yes',
      appendfsync: 'always',
      save: '',
      dir: node.dir,
      logfile: 'redis.log',
    };
    const args = Object.entries(options).flatMap(([name, value]) => [`--${name}`, String(value)]);
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    node.child = child;
    await until(
      async () => {
        if (!this.isRunning(node)) throw new Error(`redis-server on ${node.port} exited (${child.exitCode ?? child.signalCode}): ${readLog(node.dir)}`);
        return this.ask(node.port, async (redis) => (await redis.ping()) === 'PONG');
      },
      20_000,
      `redis-server on ${node.port}`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${readLog(node.dir)}`);
    });
  }

  /** One short-lived connection to one node (not a cluster client: it follows no redirection). */
  private async ask<T>(port: number, question: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return await question(redis);
    } finally {
      redis.disconnect();
    }
  }

  private node(port: number): ClusterNode {
    const node = this.nodes.find((n) => n.port === port);
    if (!node) throw new Error(`no node of this cluster listens on ${port}`);
    return node;
  }

  private isRunning(node: ClusterNode): boolean {
    return node.child !== undefined && node.child.exitCode === null && node.child.signalCode === null;
  }
}
