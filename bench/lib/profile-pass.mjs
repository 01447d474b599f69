// `npm run bench -- --profile[=N]`: one level against a stack whose gateway, generator and
// history run under `node --cpu-prof`, then a summary of where each one's CPU went. Separate
// from the sweep (the profiler costs CPU), it is the evidence for where to tune.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarizeDir } from './cpu-profile.mjs';
import { runLevel } from './level.mjs';
import { startBackEnd } from './stack.mjs';
import { stackTarget } from './targets.mjs';

export async function profilePass(workload, n, databaseUrl, cluster = false) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-prof-'));
  const nodeArgs = (app) => {
    mkdirSync(join(dir, app), { recursive: true });
    return ['--cpu-prof', `--cpu-prof-dir=${join(dir, app)}`];
  };
  const backEnd = await startBackEnd({ pacingMs: workload.pacingMs, databaseUrl, nodeArgs, cluster });
  let level;
  try {
    level = await runLevel(stackTarget(backEnd, 1, nodeArgs), n, workload);
  } finally {
    await backEnd.stop(); // history writes its profile on exit
  }
  const profiles = {};
  for (const app of ['gateway', 'generator', 'history']) {
    profiles[app] = Object.values(summarizeDir(join(dir, app), 20, level.monoWindowUs))[0];
  }
  // BENCH_KEEP_PROFILES=1 keeps the .cpuprofile files (for Chrome DevTools) and says where.
  if (process.env.BENCH_KEEP_PROFILES) process.stdout.write(`cpu profiles kept in ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
  return { n, pass: level.pass, ttft: level.lg.ttft, gap: level.lg.gap, cpu: level.cpu, profiles };
}
