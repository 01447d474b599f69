// Reads a V8 .heapsnapshot (node --heapsnapshot-signal) into "bytes and count per constructor",
// so two snapshots (before and with N streams open) say what one open stream keeps alive.
import { readFileSync } from 'node:fs';

export function heapByConstructor(path) {
  const snap = JSON.parse(readFileSync(path, 'utf8'));
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const out = new Map();
  const nodes = snap.nodes;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + iType]];
    // Strings, code and V8 internals are grouped by type; objects and closures by constructor.
    const name = type === 'object' || type === 'closure' ? `${snap.strings[nodes[i + iName]]}${type === 'closure' ? '()' : ''}` : `(${type})`;
    const entry = out.get(name) ?? { bytes: 0, count: 0 };
    entry.bytes += nodes[i + iSize];
    entry.count += 1;
    out.set(name, entry);
  }
  return out;
}

/** What grew between two snapshots, per stream: the biggest constructors by bytes. */
export function perStreamGrowth(before, after, streams, top = 20) {
  const rows = [];
  let total = 0;
  for (const [name, b] of after) {
    const a = before.get(name) ?? { bytes: 0, count: 0 };
    const bytes = b.bytes - a.bytes;
    total += bytes;
    rows.push({ name, bytesPerStream: Math.round(bytes / streams), countPerStream: Math.round(((b.count - a.count) / streams) * 10) / 10 });
  }
  rows.sort((x, y) => y.bytesPerStream - x.bytesPerStream);
  return { heapBytesPerStream: Math.round(total / streams), top: rows.slice(0, top) };
}
