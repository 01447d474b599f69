// One level = one target at one N: its server(s), warmed up if new, then the load generator (its
// own process) while /proc, /metrics and INFO commandstats bracket the measured window.
import { fork } from 'node:child_process';
import { stopChild, track } from './children.mjs';
import { ProcSampler } from './proc-sampler.mjs';
import { commandDelta, commandStats, commandStatsOf, socketStats, mergeSlowlogs, perChunk, perChunkOfMasters, startSlowlogCapture, stopSlowlogCapture } from './redis-stats.mjs';
import { scrapeLoopDelay } from './service-metrics.mjs';
import { root } from './stack.mjs';
import { sleep } from './ports.mjs';
import { round } from './stats.mjs';
import { warmUp } from './warm-up.mjs';
import { waitForQuiet } from './quiet-gate.mjs';
import { splitCpu } from './cpu-split.mjs';

const CRITERIA = { gapP99Ms: 45, ttftP99Ms: 100 };
/**
 * A process that used this much of a core over some ~1 s is saturated: a Node process's JS runs
 * on one thread, and the rest of that core goes to the kernel's network work for its sockets.
 */
const SATURATED_PCT = 80;
/** A capped process that hit its quota in this share of its periods or more is held back by it. */
const QUOTA_BOUND_PCT = 10;

export function startLoadGenerator() {
  const child = track(fork(`${root}bench/load-generator.mjs`, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }), 'loadgen');
  const result = new Promise((resolve, reject) => {
    child.on('message', (msg) => msg.type === 'result' && resolve(msg.result));
    child.once('exit', (code) => reject(new Error(`load generator exited (${code}) before answering`)));
  });
  result.catch(() => undefined); // it may die during warm-up, before anyone awaits it
  return { child, run: (plan) => (child.send({ type: 'run', plan }), result) };
}

async function scrapeAll(loopUrls) {
  const out = {};
  await Promise.all(Object.entries(loopUrls).map(async ([name, url]) => (out[name] = await scrapeLoopDelay(url))));
  return out;
}

/**
 * `options.slowlog`: also record every client-issued Redis command (SLOWLOG at threshold 0). It
 * costs Redis some work, so it is only used in a separate accounting pass, never in the sweep.
 * `options.arrivalsMs`: the streams' start offsets (steady mode; `n` is their count) instead of
 * the ramp. `options.tenths`: the load generator also reports per tenth of launch order (burst).
 */
export async function runLevel(target, n, workload, options = {}) {
  const server = await target.start();
  const lg = startLoadGenerator();
  try {
    // Kept processes (targets.mjs) are warmed once, at their first level; later levels find
    // them as the level before left them.
    if (!server.warm) await warmUp(server, target.kind, workload.message);
    server.warm = true;
    await sleep(500);
    const quiet = await waitForQuiet();
    await scrapeAll(server.loopUrls); // resets the event-loop histograms: the level starts here
    const redisBefore = await redisStats(server);
    const socketsBefore = server.redis && !server.redisMasters ? await socketStats(server.redis) : undefined;
    const slowlogClients = server.redisMasters ? Object.values(server.redisMasters) : [server.redis];
    if (options.slowlog) for (const client of slowlogClients) await startSlowlogCapture(client);
    const throttleBefore = throttleCounts(server.caps);
    const sampler = new ProcSampler({ ...server.pids, ...server.idlePids, loadgen: lg.child.pid });
    const streamTimeoutMs = workload.expectChunks * workload.pacingMs + 8_000;
    const lastStartMs = options.arrivalsMs ? (options.arrivalsMs.at(-1) ?? 0) : workload.rampMs;
    const sentAt = performance.now();
    const monoFromUs = Number(process.hrtime.bigint() / 1000n);
    const lgResult = await lg.run({
      port: server.port,
      path: '/api/v1/chat/unified/stream',
      n,
      tag: `${target.name}-${n}-${Date.now()}`,
      message: workload.message,
      expectChunks: workload.expectChunks,
      pacingMs: workload.pacingMs,
      rampMs: workload.rampMs,
      arrivalsMs: options.arrivalsMs,
      tenths: options.tenths,
      streamTimeoutMs,
      deadlineMs: lastStartMs + streamTimeoutMs + 1_000,
    });
    const monoToUs = Number(process.hrtime.bigint() / 1000n);
    const procs = sampler.stop();
    const split = splitCpu(sampler, sentAt, lgResult, workload, procs);
    const loop = await scrapeAll(server.loopUrls);
    const slowlog = options.slowlog ? mergeSlowlogs(await Promise.all(slowlogClients.map((client) => stopSlowlogCapture(client, root)))) : undefined;
    const chunks = Math.max(1, lgResult.chunks);
    const redisAfter = await redisStats(server);
    const socketsAfter = socketsBefore && (await socketStats(server.redis));
    const redis = server.redisMasters ? perChunkOfMasters(redisBefore, redisAfter, chunks) : server.redis ? perChunk(commandDelta(redisBefore, redisAfter), chunks) : undefined;
    // The arrival bins only serve splitCpu: keep them out of the results file.
    const { bins: _bins, binMs: _binMs, ...lgFigures } = lgResult;
    const throttled = server.caps ? throttledPct(throttleBefore, throttleCounts(server.caps)) : undefined;
    const record = figures(target, n, lgFigures, procs, loop, redis, { capPct: server.capPct, throttled });
    record.steady = split;
    record.redisCluster = clusterCpu(record.cpu, split);
    record.monoWindowUs = { fromUs: monoFromUs, toUs: monoToUs };
    record.quiet = quiet;
    if (socketsBefore) record.redisSockets = { readsPerTurn: round((socketsAfter.reads - socketsBefore.reads) / n, 2), writesPerTurn: round((socketsAfter.writes - socketsBefore.writes) / n, 2) };
    if (slowlog) record.slowlog = accountPerChunk(slowlog, lgResult);
    return record;
  } finally {
    await stopChild(lg.child, 1_000);
    await server.stop();
  }
}

/** INFO commandstats of the server's Redis, or of each master of its cluster (--cluster); none for the reference. */
function redisStats(server) {
  if (server.redisMasters) return commandStatsOf(server.redisMasters);
  return server.redis ? commandStats(server.redis) : undefined;
}

/**
 * On a cluster (--cluster): Redis CPU per 1,000 chunks summed over the masters, per master, and
 * summed over the replicas; over the whole level and in its steady state (cpu-split.mjs).
 */
function clusterCpu(cpu, steady) {
  const masters = Object.keys(cpu).filter((name) => /^redis-m\d+$/.test(name));
  if (masters.length === 0) return undefined;
  const replicas = Object.keys(cpu).filter((name) => /^redis-r\d+$/.test(name));
  const of = (per1k) => ({
    masters: round(masters.reduce((a, name) => a + per1k(name), 0), 1),
    perMaster: Object.fromEntries(masters.map((name) => [name, per1k(name)])),
    replicas: round(replicas.reduce((a, name) => a + per1k(name), 0), 1),
  });
  return { level: of((name) => cpu[name].per1kChunks), steady: steady && of((name) => steady.per1kChunks[name] ?? 0) };
}

/** Per capped process, its cgroup's period counters (see cpu-cap.mjs). */
function throttleCounts(caps = {}) {
  return Object.fromEntries(Object.entries(caps).map(([name, c]) => [name, c.throttled()]));
}

/** Per capped process, the share of its scheduling periods in the level that hit the quota. */
function throttledPct(before, after) {
  return Object.fromEntries(
    Object.entries(after).map(([name, a]) => {
      const periods = a.periods - before[name].periods;
      return [name, periods > 0 ? round(((a.throttled - before[name].throttled) / periods) * 100, 1) : 0];
    }),
  );
}

/**
 * `cap` (scaling pass): `capPct`, the generators' CPU quota in % of a core, and `throttled`, per
 * generator the % of its periods that hit the quota.
 */
function figures(target, n, lg, procs, loop, redis, { capPct, throttled } = {}) {
  const reasons = [];
  if (lg.completed < n) reasons.push(`${n - lg.completed} incomplete (${Object.entries(lg.errors).map(([k, v]) => `${k}: ${v}`).join(', ')})`);
  if (!(lg.gap.p99 <= CRITERIA.gapP99Ms)) reasons.push(`gap p99 ${lg.gap.p99} ms`);
  if (!(lg.ttft.p99 <= CRITERIA.ttftP99Ms)) reasons.push(`ttft p99 ${lg.ttft.p99} ms`);
  const cpu = {};
  for (const [name, p] of Object.entries(procs.processes)) {
    // per turn: every stream of the level was started and ended (or cut) within the window
    cpu[name] = { cpuMs: p.cpuMs, per1kChunks: round((p.cpuMs / Math.max(1, lg.chunks)) * 1000, 1), perTurnMs: round(p.cpuMs / n, 2), meanPct: round(p.meanPct, 0), peakPct: round(p.peakPct, 0) };
  }
  const front = procs.processes[target.front];
  const growthKb = front ? front.rssPeakKb - front.rssStartKb : Number.NaN;
  // The busiest of the server-side processes (the load generator is the client, not a suspect).
  const suspects = Object.entries(cpu).filter(([name]) => name !== 'loadgen' && !name.startsWith('idle '));
  let [bottleneck, busiest] = suspects.sort((a, b) => b[1].peakPct - a[1].peakPct)[0] ?? [];
  let saturated = (busiest?.peakPct ?? 0) >= SATURATED_PCT;
  // No single process at a full core, but the cores all busy: the machine's CPU is the limit.
  const machineBound = !saturated && procs.machine.peakBusyPct >= SATURATED_PCT;
  // Else a capped generator whose quota kept binding: its work waits for CPU that the others have
  // to spare. (Its peak over ~1 s stays below the cap: the work comes in bursts, the quota is
  // per 4 ms.)
  const [quotaBound] = Object.entries(throttled ?? {}).filter(([, pct]) => pct >= QUOTA_BOUND_PCT).sort((a, b) => b[1] - a[1]);
  if (!saturated && !machineBound && quotaBound) {
    [bottleneck, busiest] = [quotaBound[0], cpu[quotaBound[0]]];
    saturated = true;
  }
  return {
    n,
    pass: reasons.length === 0,
    reasons,
    lg,
    cpu,
    memory: { rssStartKb: front?.rssStartKb, rssPeakKb: front?.rssPeakKb, growthKb, perStreamKb: round(growthKb / n, 1) },
    loop,
    redis: redis && {
      perChunk: round(redis.perChunk, 2),
      scriptsPerChunk: round(redis.scriptsPerChunk, 2),
      total: redis.total,
      top: redis.top,
      perMaster: redis.perMaster && Object.fromEntries(Object.entries(redis.perMaster).map(([name, v]) => [name, round(v, 2)])),
    },
    machine: {
      meanBusyPct: round(procs.machine.meanBusyPct, 0),
      peakBusyPct: round(procs.machine.peakBusyPct, 0),
      othersCpuMs: procs.machine.othersMs,
      othersPct: round((procs.machine.othersMs / procs.windowMs) * 100, 0),
      stealPct: round((procs.machine.stealMs / procs.windowMs) * 100, 0),
    },
    bottleneck: { process: bottleneck, peakPct: busiest?.peakPct, capPct: throttled?.[bottleneck] === undefined ? undefined : capPct, saturated, machineBound },
    throttledPct: throttled,
  };
}

/** Client-issued commands (round trips at most) per chunk and per stream, by connection and command. */
function accountPerChunk(slowlog, lg) {
  const chunks = Math.max(1, lg.chunks);
  const rows = Object.entries(slowlog.byClient)
    .sort((a, b) => b[1] - a[1])
    .map(([key, calls]) => ({ key, calls, perChunk: round(calls / chunks, 3), perStream: round(calls / lg.n, 2), usPerStream: round((slowlog.usByClient?.[key] ?? 0) / lg.n, 1) }));
  return {
    issuedPerChunk: round(slowlog.issued / chunks, 2),
    insideScriptsPerChunk: round(slowlog.insideScripts / chunks, 2),
    issuedPerStream: round(slowlog.issued / lg.n, 1),
    // A turn's own script calls (admission, enqueue, job moves, the end); the chunk script's calls
    // carry a pacing slot's chunks of many streams and are counted apart.
    scriptCallsPerStream: round((slowlog.scriptCalls - slowlog.chunkBatches) / lg.n, 2),
    chunkBatchesPerStream: round(slowlog.chunkBatches / lg.n, 2),
    scriptsPerStream: Object.fromEntries(Object.entries(slowlog.byScript).sort((a, b) => b[1] - a[1]).map(([name, calls]) => [name, round(calls / lg.n, 2)])),
    // Redis's execution time per turn by script, and over all client-issued commands.
    scriptUsPerStream: Object.fromEntries(Object.entries(slowlog.usByScript ?? {}).sort((a, b) => b[1] - a[1]).map(([name, us]) => [name, round(us / lg.n, 1)])),
    executionUsPerStream: round(Object.values(slowlog.usByClient ?? {}).reduce((sum, us) => sum + us, 0) / lg.n, 1),
    rows,
  };
}

/** The share of a core that others took during a level: their jobs, and the hypervisor's steal. */
export const interferencePct = (machine) => machine.othersPct + (machine.stealPct ?? 0);
