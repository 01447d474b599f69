// What the goals' stream counts would cost in CPU on the measured machine, worked out from the
// run's own figures rather than argued: the CPU per chunk in steady state and per stream start,
// over the server's processes and over the load generator, scaled to a target N.
// Per-chunk cost: the lowest at any level where every stream completed (it falls as batches fill
// and is flat from a few hundred streams on). Start cost: the lowest at a level that met the
// criteria; at an overloaded level the starts run on past the ramp into the window the split
// counts as steady state, so its start figure is too low and its steady figure too high.
import { GOAL_N, fmt, serverSide, table } from './report-format.mjs';

const serverSum = (perProcess) => serverSide(perProcess).reduce((sum, [, v]) => sum + v, 0);

const lowest = (levels, cost) => levels.reduce((best, l) => (cost(l) < cost(best) ? l : best), levels[0]);

/** Per-chunk (µs) and per-start (ms) CPU of a series, server and load generator apart. */
function lowestCosts(series) {
  const completed = series.levels.filter((l) => l.steady && l.lg.completed === l.n);
  const passed = completed.filter((l) => l.pass);
  if (passed.length === 0) return undefined;
  const steady = lowest(completed, (l) => serverSum(l.steady.per1kChunks));
  const start = lowest(passed, (l) => serverSum(l.steady.startMs));
  return {
    steadyN: steady.n,
    chunkUs: serverSum(steady.steady.per1kChunks),
    chunkUsClient: steady.steady.per1kChunks.loadgen ?? 0,
    startN: start.n,
    startMs: serverSum(start.steady.startMs),
    startMsClient: start.steady.startMs.loadgen ?? 0,
  };
}

/** Cores held by N open streams, and core-seconds to start them, server + load generator. */
function demand(costs, n, workload) {
  const chunksPerS = (n * 1000) / workload.pacingMs;
  return {
    steadyCores: (chunksPerS * (costs.chunkUs + costs.chunkUsClient)) / 1e6,
    startCoreS: (n * (costs.startMs + costs.startMsClient)) / 1000,
  };
}

/**
 * The most a stack start could cost (server side, ms) for N starts to fit in the ramp: the cores
 * for the ramp's length, less what the streams already open use meanwhile (on average half of
 * their steady-state demand) and the load generator's share of each start.
 */
function startThatFits(stack, n, workload, cores) {
  const rampS = workload.rampMs / 1000;
  const room = cores * rampS - (demand(stack, n, workload).steadyCores / 2) * rampS;
  return (room * 1000) / n - stack.startMsClient;
}

/** The generated section: inputs, then what the target Ns would need against the machine's cores. */
export function cpuBudgetText(results) {
  const ref = results.series.find((s) => s.kind === 'reference');
  const one = results.series.find((s) => s.name === 'stack');
  const stack = one && lowestCosts(one);
  const reference = ref && lowestCosts(ref);
  if (!stack || !reference || !(ref.maxN > 0)) return 'Not computed: a series has no level that met the criteria.';
  const w = results.workload;
  const cores = results.machine.cores;
  const rampS = w.rampMs / 1000;
  const targets = [
    [Math.ceil(0.6 * ref.maxN), `0.6 × the reference's ${ref.maxN}`],
    [GOAL_N, `the goals at N=${GOAL_N}`],
  ];
  const rows = targets.flatMap(([n, why]) => {
    const s = demand(stack, n, w);
    const r = demand(reference, n, w);
    return [
      [`${n} (${why})`, 'the open streams, steady state (cores)', fmt(s.steadyCores, 2), fmt(r.steadyCores, 2), `${cores} cores`],
      ['', `starting them within the ${fmt(rampS)} s ramp (core-seconds)`, fmt(s.startCoreS, 2), fmt(r.startCoreS, 2), `${fmt(cores * rampS)} core-seconds`],
    ];
  });
  const costs = (c) =>
    `${fmt(c.chunkUs)} µs per chunk (N=${c.steadyN}) and ${fmt(c.startMs, 2)} ms per stream start (N=${c.startN}); the load generator ${fmt(c.chunkUsClient)} µs and ${fmt(c.startMsClient, 2)} ms more`;
  const fits = targets.map(([n]) => {
    const most = startThatFits(stack, n, w, cores);
    return `${most > 0 ? `${fmt(most, 2)} ms` : 'nothing: no room is left'} at N=${n}`;
  });
  return [
    `Inputs, the lowest costs measured in this run (per chunk at any level where every stream completed, per start at a level that met the criteria): ` +
      `the stack's processes together (1 generator) spent ${costs(stack)}; ` +
      `the reference ${costs(reference)}. Scaled to the goals' stream counts on this ${cores}-core machine:`,
    '',
    table(['N', 'CPU needed for', 'stack + load generator', 'reference + load generator', 'the machine has'], rows),
    '',
    `For the starts to fit in the ramp with the machine 100% busy (the streams already open taking, on average, half their steady-state share meanwhile), ` +
      `a stack start could cost at most ${fits.join(' and ')}, over all its processes; it cost ${fmt(stack.startMs, 2)} ms. ` +
      'A busy machine queues requests, so the latency criteria fail before that point.',
  ].join('\n');
}
