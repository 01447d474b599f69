#!/usr/bin/env node
// `node bench/gap-stalls.mjs <gap files…>`: where a level's slowest gaps come from. The files are
// the load generator's gap logs (`BENCH_GAP_LOG=<prefix> npm run bench -- …`, one per level). Per
// file: the p99 gap, the first gap of each stream against the later ones (a stream's second chunk
// waits for its pacing slot), and the gaps above the p99 by the half second of the level they
// arrived in. Gaps above the p99 that crowd into one half second, across most streams, are one
// pause of a process on the chunk path (a collection, a burst of finishes), not a steady cost.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { say } from './lib/say.mjs';
import { percentile } from './lib/stats.mjs';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node bench/gap-stalls.mjs <gap files…>\n');
  process.exit(2);
}
for (const file of files) {
  const gaps = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [stream, seq, atMs, gapMs] = line.split(' ').map(Number);
      return { stream, seq, atMs, gapMs };
    });
  const p99 = percentile(gaps.map((g) => g.gapMs), 99);
  const first = gaps.filter((g) => g.seq === 2).map((g) => g.gapMs);
  const later = gaps.filter((g) => g.seq > 2).map((g) => g.gapMs);
  const slow = gaps.filter((g) => g.gapMs > p99);
  const byHalfSecond = new Map();
  for (const g of slow) byHalfSecond.set(Math.floor(g.atMs / 500), (byHalfSecond.get(Math.floor(g.atMs / 500)) ?? 0) + 1);
  const bins = [...byHalfSecond].sort((a, b) => a[0] - b[0]).map(([bin, count]) => `${(bin / 2).toFixed(1)} s: ${count}`);
  say(`${basename(file)}: ${gaps.length} gaps, p99 ${p99.toFixed(1)} ms; first gaps p50/p99 ${percentile(first, 50).toFixed(1)}/${percentile(first, 99).toFixed(1)} ms, later p99 ${percentile(later, 99).toFixed(1)} ms`);
  say(`  ${slow.length} above the p99 (${slow.filter((g) => g.seq === 2).length} of them first gaps), by half second: ${bins.join(', ')}`);
}
