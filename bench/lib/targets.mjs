// The two servers under test, behind one shape: start() → { port, url, pids, loopUrls, stop }.
// The stack's gateway and generators are fresh per level (Redis and history persist); the
// reference is one fresh process per level.
import { spawn } from 'node:child_process';
import { stopChild, track } from './children.mjs';
import { freePort, until } from './ports.mjs';
import { root, startFrontEnd } from './stack.mjs';

export function stackTarget(backEnd, generators, nodeArgs) {
  return {
    name: generators === 1 ? 'stack' : `stack-${generators}gen`,
    label: `stack, ${generators} generator${generators === 1 ? '' : 's'}`,
    kind: 'stack',
    generators,
    async start() {
      const front = await startFrontEnd(backEnd, generators, nodeArgs);
      const pids = { gateway: front.gateway.pid, ...backEnd.pids() };
      const loopUrls = { gateway: front.gateway.url };
      front.generators.forEach((g, i) => {
        pids[`generator-${i + 1}`] = g.pid;
        loopUrls[`generator-${i + 1}`] = g.url;
      });
      return { port: front.gateway.port, url: front.gateway.url, pids, loopUrls, redis: backEnd.redis.client, stop: () => front.stop() };
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
