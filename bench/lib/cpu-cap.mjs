// A CPU quota for one process, through a Linux control group (needs root). The scaling pass uses
// it to give each generator a fixed slice of a core, as if it ran on a small machine of its own:
// on one shared 2-core box that is the only way to make the generator the bottleneck and see
// what a second one adds. cgroup v1 (`/sys/fs/cgroup/cpu`) and v2 (a `cpu.max` hierarchy) both work.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The smallest quota the kernel allows. The period is set from it: the shorter the period, the
 * more a capped process runs like one on a slower core, in short slices, instead of stalling for
 * most of a long period (pacing is 30 ms).
 */
const QUOTA_US = 1_000;

/** Where CPU quotas can be set here, or null when they cannot. */
export function cpuCapSupport() {
  const candidates = [
    { version: 1, base: '/sys/fs/cgroup/cpu', enabled: (b) => existsSync(join(b, 'cpu.cfs_quota_us')) },
    { version: 2, base: '/sys/fs/cgroup', enabled: (b) => controllers(b).includes('cpu') },
    { version: 2, base: '/sys/fs/cgroup/unified', enabled: (b) => controllers(b).includes('cpu') },
  ];
  for (const c of candidates) {
    if (!c.enabled(c.base)) continue;
    const probe = join(c.base, `bench-probe-${process.pid}`);
    try {
      mkdirSync(probe);
      rmdirSync(probe);
      return { version: c.version, base: c.base };
    } catch {
      // not writable (no root, or a read-only mount): try the next one
    }
  }
  return null;
}

function controllers(base) {
  try {
    return readFileSync(join(base, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
  } catch {
    return [];
  }
}

/** The quota and period that give `cores` of CPU (the report quotes them). */
export function cpuQuota(cores) {
  return { quotaUs: QUOTA_US, periodUs: Math.round(QUOTA_US / cores) };
}

/**
 * Puts `pid` (all its threads) in a new group limited to `cores` of CPU (0.25 = a quarter of a
 * core). Returns `release()`, which removes the group once the process has exited.
 */
export function capProcess(support, pid, cores, name) {
  const dir = join(support.base, `bench-${process.pid}-${name}`);
  mkdirSync(dir);
  const { quotaUs, periodUs } = cpuQuota(cores);
  if (support.version === 1) {
    writeFileSync(join(dir, 'cpu.cfs_period_us'), String(periodUs));
    writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
  } else {
    writeFileSync(join(dir, 'cpu.max'), `${quotaUs} ${periodUs}`);
  }
  writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  return {
    /** How often the group hit its quota: evidence that the cap, not the machine, was binding. */
    throttled() {
      const stat = readFileSync(join(dir, 'cpu.stat'), 'utf8');
      const field = (k) => Number(stat.match(new RegExp(`^${k} (\\d+)`, 'm'))?.[1] ?? 0);
      return { periods: field('nr_periods'), throttled: field('nr_throttled') };
    },
    release() {
      try {
        rmdirSync(dir);
      } catch {
        // still has a process (it has not exited yet): the kernel keeps the group, harmlessly
      }
    },
  };
}
