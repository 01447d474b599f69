import { KIND_PRIORITY, type PiiFinding } from './pii-types.js';

function byStrength(a: PiiFinding, b: PiiFinding): number {
  return b.end - b.start - (a.end - a.start) || KIND_PRIORITY[a.kind] - KIND_PRIORITY[b.kind] || a.start - b.start;
}

/** Keeps the strongest candidates of one group of overlapping ones: longest first, then the most specific kind. */
function resolveCluster(cluster: PiiFinding[], into: PiiFinding[]): void {
  if (cluster.length === 1) {
    into.push(cluster[0] as PiiFinding);
    return;
  }
  const kept: PiiFinding[] = [];
  for (const candidate of [...cluster].sort(byStrength)) {
    if (kept.every((k) => candidate.end <= k.start || candidate.start >= k.end)) kept.push(candidate);
  }
  into.push(...kept.sort((a, b) => a.start - b.start));
}

/**
 * Turns the candidates of all detectors into sorted, non-overlapping findings. Candidates are
 * grouped into clusters of transitively overlapping spans first, so the usual case (nothing
 * overlaps) stays linear after the sort.
 */
export function resolveOverlaps(candidates: readonly PiiFinding[]): PiiFinding[] {
  const sorted = [...candidates].sort((a, b) => a.start - b.start || b.end - a.end);
  const resolved: PiiFinding[] = [];
  let cluster: PiiFinding[] = [];
  let clusterEnd = -1;
  for (const candidate of sorted) {
    if (cluster.length > 0 && candidate.start >= clusterEnd) {
      resolveCluster(cluster, resolved);
      cluster = [];
    }
    cluster.push(candidate);
    clusterEnd = Math.max(clusterEnd, candidate.end);
  }
  if (cluster.length > 0) resolveCluster(cluster, resolved);
  return resolved;
}
