// Formatting and lookups shared by the report's tables and its goals section.

export const GOAL_N = 500;

export const fmt = (v, digits = 1) => (v === undefined || v === null || Number.isNaN(v) ? '–' : Number(v).toFixed(digits).replace(/\.0+$/, ''));
export const ratio = (a, b) => (a >= 0 && b > 0 ? `×${(a / b).toFixed(a / b >= 10 ? 0 : 2)}` : '–');
const row = (cells) => `| ${cells.join(' | ')} |`;
export const table = (head, rows) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

/** A level's per-process figures without the load generator and the idle back-end processes. */
export const serverSide = (perProcess) => Object.entries(perProcess ?? {}).filter(([n]) => n !== 'loadgen' && !n.startsWith('idle '));

/**
 * CPU per turn (ms), every stream of a level being started and ended within its window: each
 * server-side process (PostgreSQL included when history runs on it), their sum, then the load
 * generator's apart. From the totals, so older results files render too.
 */
export function perTurnText(cpu, n) {
  const server = serverSide(cpu).map(([name, c]) => [name.replace('generator-', 'gen'), c.cpuMs / n]);
  const sum = server.reduce((a, [, v]) => a + v, 0);
  const client = cpu.loadgen ? `; load generator ${fmt(cpu.loadgen.cpuMs / n, 2)}` : '';
  return `${server.map(([name, v]) => `${name} ${fmt(v, 2)}`).join(', ')} = ${fmt(sum, 2)}${client}`;
}

/**
 * On a cluster (--cluster), a level's Redis line: CPU per 1,000 chunks summed over the masters,
 * each master's, the replicas' sum (steady state, then over the level), and commands per chunk
 * summed and per master. Undefined on one Redis.
 */
export function redisClusterText(rec) {
  const c = rec.redisCluster;
  if (!c) return undefined;
  const cpu = (f) => `masters ${fmt(f.masters)} (${Object.entries(f.perMaster).map(([name, v]) => `${name.slice(6)} ${fmt(v)}`).join(', ')}), replicas ${fmt(f.replicas)}`;
  const steady = c.steady ? `steady ${cpu(c.steady)}; ` : '';
  const commands = rec.redis?.perMaster ? `; commands per chunk ${fmt(rec.redis.perChunk, 2)} (${Object.entries(rec.redis.perMaster).map(([name, v]) => `${name.slice(6)} ${fmt(v, 2)}`).join(', ')})` : '';
  return `  redis cluster CPU per 1,000 chunks, ms: ${steady}level ${cpu(c.level)}${commands}`;
}

/** The attempt that stands for a level (the last one run at that N). */
export function at(series, n) {
  return series && [...series.levels].reverse().find((l) => l.n === n);
}

export function limitOf(s) {
  return s.failN === undefined ? `≥ ${s.maxN}` : String(s.maxN);
}

export function bottleneckText(level) {
  if (!level) return '–';
  const b = level.bottleneck;
  const capped = b.capPct ? ` of its ${fmt(b.capPct, 0)}% cap` : '';
  const throttled = level.throttledPct?.[b.process];
  const busiest = `${b.process} ${fmt(b.peakPct, 0)}%${capped}${throttled === undefined ? '' : `, throttled in ${fmt(throttled)}% of its periods`}`;
  const head = b.saturated
    ? `${busiest}: ${b.capPct ? 'held back by its quota' : 'saturated'}`
    : b.machineBound
      ? `no single process (busiest ${busiest}): the 2 cores are full`
      : `none saturated (busiest ${busiest})`;
  const client = level.cpu.loadgen ? `, load generator ${fmt(level.cpu.loadgen.peakPct, 0)}%` : '';
  return `${head}; machine peak ${fmt(level.machine.peakBusyPct, 0)}%${client}, ${othersText(level.machine)} of a core`;
}

/** CPU that went to neither the bench's processes nor idle: others' jobs, and the hypervisor's steal (recorded since 2026-12). */
const othersText = (machine) => `others ${fmt(machine.othersPct, 0)}%${machine.stealPct === undefined ? '' : `, steal ${fmt(machine.stealPct, 0)}%`}`;

/**
 * Memory per open stream as the least-squares slope of the front process's peak RSS against N
 * over a series' levels (fresh processes each): the fixed costs of a process cancel out.
 */
export function rssSlopeKb(series) {
  const points = [...new Map(series.levels.map((l) => [l.n, l])).values()].map((l) => [l.n, l.memory.rssPeakKb]);
  if (points.length < 2) return undefined;
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx > 0 ? sxy / sxx : undefined;
}
