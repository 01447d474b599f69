// `npm run bench:compare -- <before> <after> [--levels=200] [--rounds=4]`: an A/B of two builds of
// the stack. <before> and <after> are copies of `dist/apps` (for example `cp -r dist/apps
// /tmp/before` before a change, and again after rebuilding). Both run on one Redis and one
// history process, their levels alternated (A B, then B A, …) so that both see the same machine;
// each level starts a fresh gateway and generator from its build, like the sweep does.
// With --history-per-build, each build gets its own back end (Redis and history, history from
// that build, both started once and left idle while the other build's levels run): what an A/B of
// a change to the generator→history hand-off needs. Without it, one back end, history from the
// repository's own build.
//
// The machine is shared and its speed drifts from minute to minute, so next to each process's CPU
// per 1,000 chunks the table gives it divided by the load generator's in the same level: the load
// generator does the same work for both builds, so that quotient takes the drift out.
// Results go to $TMPDIR/bench-compare.json; nothing under docs/ is touched.
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runLevel } from './lib/level.mjs';
import { probeReply } from './lib/reply-probe.mjs';
import { say } from './lib/say.mjs';
import { entryOf, stageBuild, startBackEnd } from './lib/stack.mjs';
import { round } from './lib/stats.mjs';
import { stackTarget } from './lib/targets.mjs';
import { MESSAGE, PACING_MS, workloadFor } from './lib/workload.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const [before, after] = args.filter((a) => !a.startsWith('--')).map((dir) => resolve(dir));
const levels = (flag('levels') ?? '200').split(',').map(Number);
const rounds = Number(flag('rounds') ?? 4);
const databaseUrl = flag('database') ?? process.env.BENCH_DATABASE_URL;
const historyPerBuild = args.includes('--history-per-build');

for (const [name, dir] of Object.entries({ before, after })) {
  if (!dir || !['gateway', 'generator', ...(historyPerBuild ? ['history'] : [])].every((app) => existsSync(entryOf(app, dir)))) {
    process.stderr.write(`usage: npm run bench:compare -- <before> <after> [--levels=200] [--rounds=4] [--history-per-build]\n${name}: not a copy of dist/apps (${dir ?? 'missing'})\n`);
    process.exit(2);
  }
}
// History runs from the repository's own build; gateway and generators from the one compared.
const builds = { before: stageBuild(before), after: stageBuild(after) };
const average = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const mean = (xs) => round(average(xs));

const backEnd = await startBackEnd({ pacingMs: PACING_MS, databaseUrl, appsDir: historyPerBuild ? builds.before : undefined });
const backEnds = { before: backEnd, after: backEnd };
if (historyPerBuild) {
  backEnds.after = await startBackEnd({ pacingMs: PACING_MS, databaseUrl, appsDir: builds.after }).catch(async (err) => {
    await backEnd.stop();
    throw err;
  });
}
const rows = [];
try {
  const workload = workloadFor(await probeReply(backEnd, MESSAGE), 1_000);
  for (let r = 0; r < rounds; r++) {
    for (const n of levels) {
      for (const build of r % 2 === 0 ? ['before', 'after'] : ['after', 'before']) {
        const level = await runLevel(stackTarget(backEnds[build], 1, undefined, undefined, builds[build]), n, workload);
        const cpu = Object.fromEntries(Object.entries(level.cpu).map(([p, c]) => [p, c.per1kChunks]));
        const row = { build, n, round: r, pass: level.pass, ttft: level.lg.ttft, toMeta: level.lg.toMeta, gap: level.lg.gap, cpu };
        rows.push(row);
        say(
          `${build.padEnd(6)} N=${n} round ${r + 1}: ${level.pass ? 'pass' : 'FAIL'}, TTFT p50/p99 ${row.ttft.p50}/${row.ttft.p99} ms, ` +
            `request→meta p50 ${row.toMeta.p50} ms, CPU per 1k chunks ${Object.entries(cpu).map(([p, v]) => `${p} ${v}`).join(', ')}`,
        );
      }
    }
  }
} finally {
  await backEnd.stop();
  if (backEnds.after !== backEnd) await backEnds.after.stop();
}

say('\nmeans over the rounds (CPU ÷ load generator in brackets):');
for (const n of levels) {
  for (const build of ['before', 'after']) {
    const mine = rows.filter((r) => r.n === n && r.build === build);
    const procs = Object.keys(mine[0].cpu).filter((p) => p !== 'loadgen');
    const cpu = procs.map((p) => `${p} ${mean(mine.map((r) => r.cpu[p]))} (${round(average(mine.map((r) => r.cpu[p] / r.cpu.loadgen)), 2)})`);
    say(
      `${build.padEnd(6)} N=${n}: passed ${mine.filter((r) => r.pass).length}/${mine.length}, TTFT p50 ${mean(mine.map((r) => r.ttft.p50))} p99 ${mean(mine.map((r) => r.ttft.p99))} ms, ` +
        `request→meta p50 ${mean(mine.map((r) => r.toMeta.p50))} ms; ${cpu.join(', ')}`,
    );
  }
}
const out = join(tmpdir(), 'bench-compare.json');
writeFileSync(out, `${JSON.stringify({ before, after, levels, rounds, rows }, null, 1)}\n`);
say(`results: ${out}`);
