// The servers under test, behind one shape: start() → { port, url, pids, loopUrls, stop }.
// Each start() makes the target's processes anew (Redis and history persist): the stack's gateway
// and generators, the reference's one process, the relay's two (server and worker, on the bench's
// Redis). `keptAcrossLevels` keeps them from a target's first level until its sweep is done.
// The cache-hit yardstick is the --cache pass's (cache-pass.mjs), one process on the bench's Redis.
// `front`: the process that holds the client connections (its RSS is the memory per stream).
import { spawn } from 'node:child_process';
import { stopChild, track } from './children.mjs';
import { freePort, until } from './ports.mjs';
import { root, startFrontEnd } from './stack.mjs';

/**
 * `cap` ({ support, cores }): each generator limited to that much CPU (the scaling pass).
 * `appsDir`: gateway and generators from that staged build (stack.mjs `stageBuild`; the A/B).
 */
export function stackTarget(backEnd, generators, nodeArgs, cap, appsDir) {
  const gens = `${generators} generator${generators === 1 ? '' : 's'}`;
  return {
    name: `${generators === 1 ? 'stack' : `stack-${generators}gen`}${cap ? '-capped' : ''}`,
    label: cap ? `stack, ${gens} capped at ${cap.cores} core each` : `stack, ${gens}`,
    kind: 'stack',
    front: 'gateway',
    generators,
    generatorCores: cap?.cores,
    async start() {
      const front = await startFrontEnd(backEnd, generators, nodeArgs, cap, appsDir);
      const pids = { gateway: front.gateway.pid, ...backEnd.pids() };
      const loopUrls = { gateway: front.gateway.url };
      front.generators.forEach((g, i) => {
        pids[`generator-${i + 1}`] = g.pid;
        loopUrls[`generator-${i + 1}`] = g.url;
      });
      // name → its cgroup, for the capped generators of the scaling pass
      const caps = Object.fromEntries(front.caps.map((c, i) => [`generator-${i + 1}`, c]));
      // On a cluster, Redis's command stats are summed over its masters (level.mjs).
      const redis = backEnd.redisCluster ? { redisMasters: backEnd.redisCluster.masterClients } : { redis: backEnd.redis.client };
      return { port: front.gateway.port, url: front.gateway.url, pids, loopUrls, caps, capPct: cap && cap.cores * 100, ...redis, stop: () => front.stop() };
    },
  };
}

/** The stack's Redis and history stay up (idle) while the reference runs: sampled, to show their cost. */
export function referenceTarget(replyFile, pacingMs, backEnd) {
  return {
    name: 'reference',
    label: 'reference (node:http)',
    kind: 'reference',
    front: 'reference',
    async start() {
      const port = await freePort();
      const env = { PORT: String(port), PACING_MS: String(pacingMs), REPLY_FILE: replyFile };
      const child = spawnScript('bench/reference-server.mjs', env, 'reference');
      const url = `http://127.0.0.1:${port}`;
      await untilReady(url, [child], 'reference server');
      const idlePids = backEnd.pids('idle ');
      return { port, url, pids: { reference: child.pid }, idlePids, loopUrls: { reference: url }, stop: () => stopChild(child, 2_000) };
    },
  };
}

/**
 * The second yardstick: the product's architecture bare (bench/relay/): a node:http process that
 * enqueues to a Redis list and relays a shared subscriber's messages, and a worker that pops jobs
 * and publishes the paced words. On the bench's Redis (so sampled as redis, not idle); history idle.
 */
export function relayTarget(replyFile, pacingMs, backEnd) {
  return {
    name: 'relay',
    label: 'relay (node:http + Redis list + pub/sub)',
    kind: 'relay',
    front: 'relay',
    async start() {
      const port = await freePort();
      const env = { PORT: String(port), PACING_MS: String(pacingMs), REPLY_FILE: replyFile, REDIS_URL: backEnd.redis.url };
      const children = [spawnScript('bench/relay/relay-server.mjs', env, 'relay'), spawnScript('bench/relay/relay-worker.mjs', env, 'relay-worker')];
      const stop = () => Promise.all(children.map((c) => stopChild(c, 2_000)));
      const url = `http://127.0.0.1:${port}`;
      await untilReady(url, children, 'relay server').catch(async (err) => {
        await stop();
        throw err;
      });
      const { 'idle redis': _busy, ...idlePids } = backEnd.pids('idle ');
      const pids = { relay: children[0].pid, 'relay-worker': children[1].pid, redis: backEnd.redis.pid };
      return { port, url, pids, idlePids, loopUrls: { relay: url }, redis: backEnd.redis.client, stop };
    },
  };
}

/**
 * The --cache pass's baseline (bench/relay/cache-hit-server.mjs): a cache hit as the gateway
 * serves it (one Redis round trip, then the paced appends over pub/sub), on plain node:http, on
 * the bench's Redis. The reply in `replyFile` is what it stores and replays.
 */
export function cacheHitTarget(replyFile, pacingMs, backEnd) {
  return {
    name: 'cache-hit',
    label: 'cache-hit yardstick (node:http + one Redis round trip)',
    async start() {
      const port = await freePort();
      const env = { PORT: String(port), PACING_MS: String(pacingMs), REPLY_FILE: replyFile, REDIS_URL: backEnd.redis.url };
      const child = spawnScript('bench/relay/cache-hit-server.mjs', env, 'cache-hit');
      const stop = () => stopChild(child, 2_000);
      const url = `http://127.0.0.1:${port}`;
      await untilReady(url, [child], 'cache-hit server').catch(async (err) => {
        await stop();
        throw err;
      });
      return { port, url, pids: { 'cache-hit': child.pid }, stop };
    },
  };
}

/** One of the bench's plain node scripts, env-only configuration, stderr passed through. */
/** BENCH_<NAME>_NODE_ARGS (RELAY, RELAY_WORKER, REFERENCE) adds node flags to a yardstick's process, as for the services. */
function spawnScript(script, env, name) {
  const nodeArgs = process.env[`BENCH_${name.toUpperCase().replaceAll('-', '_')}_NODE_ARGS`]?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, `${root}${script}`], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  return track(child, name);
}

async function untilReady(url, children, what) {
  await until(async () => {
    const dead = children.find((c) => c.exitCode !== null);
    if (dead) throw new Error(`${what}: a process exited with ${dead.exitCode}`);
    return (await fetch(`${url}/health/ready`)).ok;
  }, 10_000, what);
}

/**
 * The same target with its processes started at its first level and kept for all the others, as
 * a deployed service's are (the default; `--fresh` starts them per level), until `stopKept`. A
 * fresh process is still compiling a stream's start path while a level's ramp runs, and the
 * warm-up does not get it there: measured on the stack at N = 325, a start cost 3.1-3.5 ms of CPU
 * over all processes on fresh processes and 1.9-2.6 ms on kept ones (docs/benchmarks.md, item
 * 48). A kept process's heap has grown at earlier levels, so the memory goal is measured on a
 * level of fresh processes (run.mjs).
 */
export function keptAcrossLevels(target) {
  let kept;
  return {
    ...target,
    async start() {
      if (!kept) {
        const server = await target.start();
        kept = { ...server, stop: async () => undefined, stopKept: () => server.stop() };
      }
      return kept;
    },
    /** Stops the kept processes (before Redis and history go, so that they see no outage). */
    async stopKept() {
      const server = kept;
      kept = undefined;
      await server?.stopKept();
    },
  };
}
