// The two servers under test, behind one shape: start() → { port, url, pids, loopUrls, stop }.
// The stack's gateway and generators are fresh per level (Redis and history persist); the
// reference is one fresh process per level.
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
      return { port: front.gateway.port, url: front.gateway.url, pids, loopUrls, caps, capPct: cap && cap.cores * 100, redis: backEnd.redis.client, stop: () => front.stop() };
    },
  };
}

/** The stack's Redis and history stay up (idle) while the reference runs: sampled, to show their cost. */
export function referenceTarget(replyFile, pacingMs, backEnd) {
  return {
    name: 'reference',
    label: 'reference (node:http)',
    kind: 'reference',
    async start() {
      const port = await freePort();
      const child = track(
        spawn(process.execPath, [`${root}bench/reference-server.mjs`], {
          cwd: root,
          env: { PATH: process.env.PATH ?? '', PORT: String(port), PACING_MS: String(pacingMs), REPLY_FILE: replyFile },
          stdio: ['ignore', 'ignore', 'inherit'],
        }),
        'reference',
      );
      const url = `http://127.0.0.1:${port}`;
      await until(async () => {
        if (child.exitCode !== null) throw new Error(`reference server exited with ${child.exitCode}`);
        return (await fetch(`${url}/health/ready`)).ok;
      }, 10_000, 'reference server');
      const idlePids = backEnd.pids('idle ');
      return { port, url, pids: { reference: child.pid }, idlePids, loopUrls: { reference: url }, stop: () => stopChild(child, 2_000) };
    },
  };
}
