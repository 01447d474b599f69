#!/usr/bin/env node
// `npm run bench`: the streaming benchmark (issue 5). Starts a private redis-server, history,
// and per series a gateway + generator(s) kept across its levels, plus two yardsticks: a single-process reference
// server (bench/reference-server.mjs) and the relay (bench/relay/: node:http + a worker, a Redis
// list and pub/sub, on the same redis-server); drives all with the same load from a separate
// load-generator process; sweeps N to find each one's limit; writes docs/benchmarks.md (the
// generated block) and docs/benchmark-chart.svg. Every level also gives CPU per turn (started and
// finished) per process and summed over all of them, PostgreSQL included when history runs on it.
//   --quick             levels 50,100, no re-runs, results to a temp file only (for development)
//   --fresh             each level on processes started for it (the method before item 48), not
//                       on a series' processes kept across its levels (exploration)
//   --levels=100,250    override the ladder
//   --ramp=MS           ramp the N streams over MS instead of 1000 (exploration)
//   --series=a,b        only these of reference, relay, stack, stack-2gen (exploration)
//   --burst[=N]         instead of the sweep: N streams (500) started at once against each series;
//                       time to response headers and TTFT p50/p99 overall and per tenth of launch
//                       order, CPU per process and per turn (exploration, results to $TMPDIR);
//                       with --slowlog also the stack's Redis commands and script calls per turn
//   --steady[=N]        instead of the sweep: streams arriving as a Poisson process at N / (reply
//                       duration) per second, so about N (500) open at once, for --duration=S (60)
//                       seconds per series; TTFT p50/p99, gap p99, completion, CPU per turn per
//                       process (exploration, results to $TMPDIR)
//   --heap[=N]          instead of the sweep: what one open stream keeps in the gateway's heap
//                       (two heap snapshots, default N=200)
//   --cluster           the stack on a six-node Redis Cluster (3 masters + 3 replicas, no
//                       persistence) instead of one redis-server; Redis CPU and commands summed
//                       over the masters and given per master. The relay and the reference stay on
//                       one Redis. An exploration (results to $TMPDIR); combines with the modes.
//   --no-docs           do not touch docs/ (implied by --quick, --levels, --ramp, --series, --cluster, --fresh)
//   --database=URL      history on a private database created on this PostgreSQL server (dropped
//                       afterwards) instead of PGlite; its server's CPU is sampled as `postgres`.
//                       Also BENCH_DATABASE_URL. The report names the database used.
//   --scaling           also the scaling pass: stack with 1 and 2 generators, each held to a CPU
//                       quota (cgroups; needs root, skipped otherwise), levels 10–300. Also run
//                       by an exploration that names the series stack-capped / stack-2gen-capped.
//   --generator-cores=F the scaling pass's CPU quota per generator (default 0.25 of a core)
//   --profile[=N]       instead of the sweep: one level (default N=150) under node --cpu-prof,
//                       and where gateway, generator and history spend their CPU
//   --admission[=COUNT] instead of the sweep: the gateway's CPU per request (a probe, a refused
//                       request, a stream start), alone on the machine, COUNT (2000) per round
//   --turn-cost[=COUNT] instead of the sweep: each process's CPU per whole turn, warm, a few at a
//                       time with PACING_MS=0, for a long and a short reply, fitted as a fixed part
//                       (start and finish) plus a part per chunk, COUNT (500) turns per round
//   --cache[=COUNT]     instead of the sweep: the response cache's first chunk, COUNT (300) cached
//                       streams after one that fills the cache and 30 warm-up hits (shown apart), arriving as a Poisson process with
//                       about --in-flight=N (20) open (1: one after another), --cache-pacing=MS between chunks;
//                       server-side ttft p50/p99, first against the cache-hit yardstick
//                       (bench/relay/cache-hit-server.mjs: node:http + one Redis round trip, the
//                       same hits), then the stack, and the stack ÷ yardstick ratios
//                       (docs/benchmarks.md "Response cache"; results printed only)
//   --rewrite-docs      run nothing: rewrite docs/ from bench/results/latest.json (the documented
//                       run) with the current report code
// BENCH_GATEWAY_NODE_ARGS, BENCH_GENERATOR_NODE_ARGS, BENCH_HISTORY_NODE_ARGS: extra node/V8 flags
// for that service (space-separated, e.g. "--max-semi-space-size=2"), to try a runtime setting
// before building it in; BENCH_<APP>_ENV likewise adds settings to its environment (e.g.
// BENCH_HISTORY_ENV="HISTORY_BATCH_WAIT_MS=0"). Such a run is an exploration.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { killAllNow, stopAll } from './lib/children.mjs';
import { cpuCapSupport } from './lib/cpu-cap.mjs';
import { runLevel } from './lib/level.mjs';
import { writeDocs } from './lib/report.mjs';
import { admissionPass } from './lib/admission-pass.mjs';
import { turnCostPass } from './lib/turn-cost-pass.mjs';
import { cachePass } from './lib/cache-pass.mjs';
import { heapPass } from './lib/heap-pass.mjs';
import { profilePass } from './lib/profile-pass.mjs';
import { probeReply } from './lib/reply-probe.mjs';
import { buildIsPresent, root, snapshotBuild, startBackEnd } from './lib/stack.mjs';
import { newSeries, Sweep } from './lib/sweep.mjs';
import { burstPass, steadyPass } from './lib/explore.mjs';
import { say } from './lib/say.mjs';
import { keptAcrossLevels, referenceTarget, relayTarget, stackTarget } from './lib/targets.mjs';
import { MESSAGE, PACING_MS, workloadFor } from './lib/workload.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const cluster = args.includes('--cluster');
const flag = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const GOAL_N = 500;
/** The documented run's figures, which --rewrite-docs renders again. */
const LATEST = join(root, 'bench/results/latest.json');
const RAMP_CHECK_MS = 5_000;
/**
 * The scaling pass's CPU quota per generator, as a share of a core: small enough that the
 * generator is the bottleneck with one and with two of them (at 0.34 the two-generator limit was
 * already set by the rest of the stack on the 2 cores).
 */
const GENERATOR_CORES = 0.25;
const SCALING_LEVELS = [10, 20, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300];
const settings = {
  levels: (flag('levels') ?? (quick ? '50,100' : '50,100,150,250,500,750,1000,1500,2000,3000')).split(',').map(Number),
  retries: quick ? 0 : 2,
  refineSteps: quick ? 0 : 2,
  // per target's sweep (the scaling pass has its own, below)
  budgetMs: quick ? 60_000 : 4 * 60_000,
  accountingN: quick ? 50 : 100,
  rampMs: Number(flag('ramp') ?? 1_000),
  databaseUrl: flag('database') ?? process.env.BENCH_DATABASE_URL,
  // The relay is in the default series: the stack's ratio to it (same queue + pub/sub design,
  // nothing else) is the second yardstick of the published run.
  series: (flag('series') ?? 'reference,relay,stack,stack-2gen').split(','),
  generatorCores: Number(flag('generator-cores') ?? GENERATOR_CORES),
  scalingBudgetMs: quick ? 60_000 : 5 * 60_000, // per capped series
};
// Only the default full run is the documented one; anything else is exploration, and so is a
// run that starts a service with extra node flags or settings (BENCH_<APP>_NODE_ARGS / _ENV, see stack.mjs).
const exploring =
  quick || cluster || args.includes('--fresh') || ['levels', 'ramp', 'series', 'duration'].some((name) => flag(name) !== undefined) || Object.keys(process.env).some((k) => /^BENCH_(GATEWAY|GENERATOR|HISTORY)_(NODE_ARGS|ENV)$/.test(k));

/** A target's processes serve all its levels, as a deployed service's do, unless `--fresh`. */
const served = (target) => (args.includes('--fresh') ? target : keptAcrossLevels(target));

/** Each open stream holds a socket in the load generator and one in the server. */
function fileLimit() {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  return Number(line?.split(/\s+/)[3] ?? 1024);
}

/** Which code was measured: the commit, and how many files differed from it (others' work in progress). */
function codeVersion() {
  const git = (...a) => spawnSync('git', a, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? '';
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    changedFiles: git('status', '--porcelain').split('\n').filter(Boolean).length,
    builtAt: statSync(`${root}dist/apps/gateway/apps/gateway/src/main.js`).mtime.toISOString(),
  };
}

function machine(redisVersion) {
  const limit = fileLimit();
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    redis: redisVersion,
    fileLimit: limit,
  };
}

async function main() {
  if (args.includes('--rewrite-docs')) {
    // The report's format changed, not the figures: render the documented run again.
    say(`docs: ${writeDocs(JSON.parse(readFileSync(LATEST, 'utf8')))} (from ${LATEST})`);
    return;
  }
  // Someone else's `npm run build` empties dist for a few seconds: wait before building ourselves.
  for (let i = 0; i < 60 && !buildIsPresent(); i++) await new Promise((r) => setTimeout(r, 1_000));
  if (!buildIsPresent()) {
    say('dist is missing: running npm run build');
    if (spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
  }
  const code = codeVersion(); // of the moment the build is copied, not of the end of the run
  const dropSnapshot = snapshotBuild();
  process.once('exit', dropSnapshot);
  const limit = fileLimit();
  const levels = settings.levels.filter((n) => n <= limit - 500);
  if (levels.length < settings.levels.length) say(`open-file limit ${limit}: levels above ${limit - 500} dropped`);

  const startedAt = new Date();
  say(`starting redis-server${cluster ? ', a six-node Redis Cluster' : ''} and history…`);
  const backEnd = await startBackEnd({ pacingMs: PACING_MS, databaseUrl: settings.databaseUrl, cluster });
  try {
    const admissionArg = args.find((a) => a === '--admission' || a.startsWith('--admission='));
    if (admissionArg) return await admission(backEnd, Number(admissionArg.split('=')[1] ?? 2_000));
    const turnCostArg = args.find((a) => a === '--turn-cost' || a.startsWith('--turn-cost='));
    if (turnCostArg) return await turnCost(backEnd, Number(turnCostArg.split('=')[1] ?? 500));
    const cacheArg = args.find((a) => a === '--cache' || a.startsWith('--cache='));
    if (cacheArg) return await cache(backEnd, Number(cacheArg.split('=')[1] ?? 300));
    await measure(backEnd, startedAt, levels, code);
  } finally {
    await backEnd.stop(); // also on error: its temp dirs go with it
  }
}

/** What the stack's Redis was, in words for the results (undefined, as before, on one Redis). */
const redisSetup = () => (cluster ? 'Redis Cluster: 3 masters + 3 replicas on this machine (redis-m1…m3, redis-r1…r3), sharded pub/sub; the relay on one redis-server' : undefined);

async function admission(backEnd, count) {
  const result = await admissionPass(backEnd, count);
  say(`gateway CPU per request (median of ${result.rounds} rounds of ${count}, ${result.inFlight} in flight):`);
  for (const [kind, r] of Object.entries(result.results)) {
    say(`  ${kind.padEnd(8)} ${r.gatewayMs.toFixed(3)} ms (rounds ${r.rounds.join(', ')}), of it in the kernel ${r.kernelMs.toFixed(3)} ms; Redis ${r.redisMs.toFixed(3)} ms`);
  }
}

async function turnCost(backEnd, count) {
  const r = await turnCostPass(backEnd, MESSAGE, count);
  const line = (byName, digits) => Object.entries(byName).map(([name, v]) => `${name} ${v.toFixed(digits)}`).join(', ');
  say(`CPU per whole turn, warm and uncontended (median of ${r.rounds} rounds of ${count}, ${r.inFlight} in flight, PACING_MS=0):`);
  for (const [kind, k] of Object.entries(r.kinds)) say(`  ${kind.padEnd(5)} (${k.chunks} chunks): ${line(k.perTurnMs, 3)} ms (rounds, summed: ${k.rounds.join(', ')})`);
  say(`  fixed per turn (start and finish): ${line(r.fit.fixedMs, 3)} ms = ${r.fit.fixedTotalMs.toFixed(3)} ms`);
  say(`  per chunk (unpaced, one call each): ${line(r.fit.perChunkUs, 1)} µs`);
}

async function cache(backEnd, count) {
  const pacing = flag('cache-pacing');
  const r = await cachePass(backEnd, MESSAGE, count, Number(flag('in-flight') ?? 20), pacing === undefined ? undefined : Number(pacing));
  const arrivals = r.inFlight <= 1 ? 'one after another' : `Poisson arrivals, about ${r.inFlight} open`;
  say(`response cache: ${count} cached streams each (${arrivals}, the same schedule for both; ${r.chunks} chunks each at ${r.pacingMs} ms)`);
  const figures = (x) => {
    const s = x.serverTtftMs;
    const c = x.clientTtftMs;
    const w = x.warmUp.serverTtftMs;
    return `${x.hits} of ${count} cached; server-side p50 ${s.p50}, p99 ${s.p99}, max ${s.max} ms; client-side p50 ${c.p50.toFixed(1)}, p99 ${c.p99.toFixed(1)}, max ${c.max.toFixed(1)} ms (the ${x.warmUp.count} warm-up hits before them, not counted: server-side p50 ${w.p50}, max ${w.max} ms)`;
  };
  say(`  cache-hit yardstick (node:http + one Redis round trip): ${figures(r.yardstick)}`);
  say(`  stack (done.stats.ttft_ms): ${figures(r.stack)}`);
  const ratio = (key, p) => {
    const base = r.yardstick[key][p];
    return base > 0 ? `×${(r.stack[key][p] / base).toFixed(2)}` : 'n/a (yardstick 0 ms)';
  };
  say(`  stack ÷ yardstick: server-side p50 ${ratio('serverTtftMs', 'p50')}, p99 ${ratio('serverTtftMs', 'p99')}; client-side p50 ${ratio('clientTtftMs', 'p50')}, p99 ${ratio('clientTtftMs', 'p99')}`);
  say(`  the generated stream that filled the stack's cache: ttft ${r.generatedTtftMs} ms`);
}

async function measure(backEnd, startedAt, levels, code) {
  const redisVersion = (await backEnd.redis.client.info('server')).match(/redis_version:(\S+)/)?.[1];
  const reply = await probeReply(backEnd, MESSAGE);
  say(`reply: ${reply.words.length} chunks, ${reply.words150} words, ${reply.bytes} bytes per stream`);
  const replyFile = join(tmpdir(), `bench-reply-${process.pid}.json`);
  writeFileSync(replyFile, JSON.stringify(reply.words));
  process.once('exit', () => rmSync(replyFile, { force: true }));

  const workload = workloadFor(reply, settings.rampMs);
  const profileArg = args.find((a) => a === '--profile' || a.startsWith('--profile='));
  if (profileArg) {
    const profile = await profilePass(workload, Number(profileArg.split('=')[1] ?? 150), settings.databaseUrl, cluster);
    const out = join(root, 'bench/results/profile.json');
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(out, `${JSON.stringify(profile, null, 1)}\n`);
    for (const [app, p] of Object.entries(profile.profiles)) {
      say(`\n${app}: ${p.busyMs} ms busy`);
      for (const o of p.byOrigin.slice(0, 8)) say(`  ${String(o.pct).padStart(5)}%  ${o.name}`);
      for (const f of p.byFunction.slice(0, 12)) say(`  ${String(f.pct).padStart(5)}%  ${f.name}`);
      say('  by the app function nearest the work (libraries, Node and V8 included):');
      for (const f of p.byAppCaller.slice(0, 12)) say(`  ${String(f.pct).padStart(5)}%  ${f.name}`);
    }
    say(`profile: ${out}`);
    return;
  }
  const heapArg = args.find((a) => a === '--heap' || a.startsWith('--heap='));
  if (heapArg) {
    const heap = await heapPass(backEnd, workload, Number(heapArg.split('=')[1] ?? 200));
    const out = join(root, 'bench/results/heap.json');
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(out, `${JSON.stringify(heap, null, 1)}\n`);
    say(`gateway heap per open stream: ${heap.heapBytesPerStream} bytes (N=${heap.n}, ${heap.completed} completed)`);
    for (const r of heap.top) say(`  ${String(r.bytesPerStream).padStart(7)} B  ${String(r.countPerStream).padStart(6)} ×  ${r.name}`);
    say(`heap: ${out}`);
    return;
  }
  const made = [referenceTarget(replyFile, PACING_MS, backEnd), relayTarget(replyFile, PACING_MS, backEnd), stackTarget(backEnd, 1), stackTarget(backEnd, 2)];
  // A burst or a steady pass is one level per series: its processes are fresh for it.
  const chosen = made.filter((t) => settings.series.includes(t.name));
  const burstArg = args.find((a) => a === '--burst' || a.startsWith('--burst='));
  const steadyArg = args.find((a) => a === '--steady' || a.startsWith('--steady='));
  if (burstArg || steadyArg) {
    const records = burstArg
      ? await burstPass(chosen, Number(burstArg.split('=')[1] ?? GOAL_N), workload, { slowlog: args.includes('--slowlog') })
      : await steadyPass(chosen, Number(steadyArg.split('=')[1] ?? GOAL_N), workload, Number(flag('duration') ?? 60));
    const out = join(tmpdir(), `bench-${burstArg ? 'burst' : 'steady'}.json`);
    writeFileSync(out, `${JSON.stringify({ startedAt: startedAt.toISOString(), database: backEnd.database, redis: redisSetup(), code, workload, records }, null, 1)}\n`);
    say(`\nresults: ${out}`);
    return;
  }
  const targets = made.map(served);
  const sweep = new Sweep(workload, settings);
  const series = targets.filter((t) => settings.series.includes(t.name)).map(newSeries);
  // One series after another: a kept target's processes serve its own levels only (the two stack
  // series share one queue, so their generators must never be up at once). The stack's series is
  // followed by what needs its processes: the ramp check and the accounting pass.
  let stackExtras;
  for (const s of series) {
    await sweep.run(s, levels, quick || s.target.name === 'stack-2gen' ? undefined : GOAL_N);
    if (s.target.name === 'stack') stackExtras = await rampCheckAndAccounting(s, s.target, sweep, workload);
    await s.target.stopKept?.();
  }
  // Kept processes have grown their heap at earlier levels, so a level's RSS growth says little
  // about what an open stream costs: the memory goal is measured on fresh processes, as before.
  let memoryLevel;
  if (!quick && series.some((s) => s.target.name === 'stack')) {
    say(`[stack] measuring N=${GOAL_N} on fresh processes for the memory goal`);
    memoryLevel = await runLevel(made.find((t) => t.name === 'stack'), GOAL_N, workload);
    say(`[stack N=${GOAL_N}, fresh] gateway RSS growth ${memoryLevel.memory.growthKb} KB, ${memoryLevel.memory.perStreamKb} KB per stream`);
  }
  if (!stackExtras) {
    const stack = targets.find((t) => t.name === 'stack');
    stackExtras = await rampCheckAndAccounting(undefined, stack, sweep, workload);
    await stack.stopKept?.();
  }
  const { rampCheck, rampCheckSkipped, accounting } = stackExtras;

  // Scaling pass (--scaling, or an exploration naming the -capped series): each generator held to
  // a slice of a core, so that the generator is the bottleneck on this machine too. Opt-in: under
  // a quota the latency criteria fail from throttling stalls before the quota's capacity is used,
  // and its ratio moved from ×0.56 to ×1.25 between runs (docs/benchmarks.md).
  let scaling;
  const named = settings.series.filter((name) => name.endsWith('-capped'));
  if (args.includes('--scaling') || named.length > 0) {
    const support = cpuCapSupport();
    if (!support) {
      scaling = { skipped: 'CPU quotas need root and a cgroup cpu controller (cgroup v1 cpu, or v2 with cpu enabled)' };
      say(`scaling pass skipped: ${scaling.skipped}`);
    } else {
      const cap = { support, cores: settings.generatorCores };
      const cappedTargets = [stackTarget(backEnd, 1, undefined, cap), stackTarget(backEnd, 2, undefined, cap)].map(served);
      const capped = cappedTargets.filter((t) => named.length === 0 || named.includes(t.name)).map(newSeries);
      series.push(...capped);
      const scalingSweep = new Sweep(workload, { ...settings, budgetMs: settings.scalingBudgetMs });
      for (const s of capped) {
        await scalingSweep.run(s, exploring ? levels : SCALING_LEVELS);
        await s.target.stopKept?.();
      }
      scaling = { generatorCores: cap.cores, cgroup: `v${support.version} at ${support.base}` };
    }
  }

  const results = {
    startedAt: startedAt.toISOString(),
    durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
    quick,
    machine: machine(redisVersion),
    database: backEnd.database,
    redis: redisSetup(),
    code,
    workload: { ...workload, replyChunks: reply.words.length, replyWords: reply.words150, replyBytes: reply.bytes },
    settings,
    series: series.map((s) => ({
      name: s.target.name,
      label: s.target.label,
      kind: s.target.kind,
      generators: s.target.generators,
      generatorCores: s.target.generatorCores,
      maxN: s.maxN,
      failN: s.failN,
      truncated: s.truncated,
      levels: s.levels,
    })),
    accounting,
    memoryLevel,
    rampCheck,
    rampCheckSkipped,
    scaling,
  };
  const out = exploring ? join(tmpdir(), 'bench-exploration.json') : LATEST;
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 1)}\n`);
  say(`results: ${out}`);
  if (!exploring && !args.includes('--no-docs')) say(`docs: ${writeDocs(results)}`);
  const ref = results.series.find((s) => s.kind === 'reference');
  for (const s of results.series) {
    const toRef = ref && s !== ref && ref.maxN > 0 ? `, ×${(s.maxN / ref.maxN).toFixed(2)} the reference's` : '';
    say(`${s.label}: largest N meeting the criteria ${s.maxN}${s.failN ? ` (fails at ${s.failN})` : ' (never failed: a lower bound)'}${toRef}`);
  }
}

/**
 * After the stack's sweep, on its processes: is its limit the arrival rate of new streams? Its
 * first failing N (and twice that), ramped over 5 s instead of 1 s: the same streams, a fifth of
 * the admission work per second. Then the accounting pass: every client-issued Redis command.
 */
async function rampCheckAndAccounting(one, target, sweep, workload) {
  const rampCheck = [];
  const rampCheckSkipped = exploring
    ? 'an exploration'
    : !one?.failN
      ? 'the stack did not fail within its levels'
      : sweep.outOfTime
        ? "the sweep's time bound was spent first"
        : undefined;
  if (!rampCheckSkipped) {
    for (const n of [one.failN, one.failN * 2]) {
      const rec = await runLevel(target, n, { ...workload, rampMs: RAMP_CHECK_MS });
      say(`[stack N=${n}, ramp ${RAMP_CHECK_MS} ms] ${rec.pass ? 'PASS' : `FAIL (${rec.reasons.join('; ')})`} ttft p50/p99 ${rec.lg.ttft.p50}/${rec.lg.ttft.p99} ms, gap p99 ${rec.lg.gap.p99} ms`);
      rampCheck.push({ rampMs: RAMP_CHECK_MS, ...rec });
    }
  }
  say(`accounting pass: every client-issued Redis command at N=${settings.accountingN} (SLOWLOG)`);
  const accounting = await runLevel(target, settings.accountingN, workload, { slowlog: true });
  return { rampCheck, rampCheckSkipped, accounting };
}

process.on('exit', killAllNow);
process.on('SIGINT', () => {
  say('interrupted: stopping every process the bench started');
  void stopAll(2_000).finally(() => process.exit(130));
});

main()
  .then(() => stopAll())
  .catch(async (err) => {
    process.stderr.write(`bench failed: ${err.stack ?? err}\n`);
    await stopAll(2_000);
    process.exitCode = 1;
  });
