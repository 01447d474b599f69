// Redis work per chunk, from INFO commandstats before and after a level. Commands run inside Lua
// scripts are counted there too, so the raw total overstates round trips; EVALSHA/EVAL calls are
// reported apart. An optional SLOWLOG pass (threshold 0) separates client-issued commands
// (logged with the client's address and name) from script-internal ones (logged with "?:0").
// On a Redis Cluster (--cluster) both are read from each master and summed.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Our own probes, not the product's work (replconf: a cluster replica's acknowledgements). */
const OWN = new Set(['info', 'config|set', 'config|get', 'slowlog|reset', 'slowlog|get', 'slowlog|len', 'ping', 'client|setname', 'replconf']);

export async function commandStats(client) {
  const text = await client.info('commandstats');
  const calls = {};
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[m[1]] = Number(m[2]);
  return calls;
}

export function commandDelta(before, after) {
  const delta = {};
  for (const [cmd, calls] of Object.entries(after)) {
    if (OWN.has(cmd)) continue;
    const d = calls - (before[cmd] ?? 0);
    if (d > 0) delta[cmd] = d;
  }
  return delta;
}

/**
 * Redis's socket reads and writes so far (INFO stats). A read is what one client's writes put in
 * the socket before Redis came round to it, so reads per turn count the round trips that did not
 * share a write: the figure a client's coalescing of commands moves, and one that does not drift
 * with the machine's speed as CPU time does.
 */
export async function socketStats(client) {
  const text = await client.info('stats');
  const field = (name) => Number(text.match(new RegExp(`^${name}:(\\d+)`, 'm'))?.[1] ?? 0);
  return { reads: field('total_reads_processed'), writes: field('total_writes_processed') };
}

/** Command stats of each of a cluster's masters, by name. */
export async function commandStatsOf(clients) {
  return Object.fromEntries(await Promise.all(Object.entries(clients).map(async ([name, client]) => [name, await commandStats(client)])));
}

/** The per-chunk figures of the masters' deltas summed, and each master's commands per chunk. */
export function perChunkOfMasters(before, after, chunks) {
  const sum = {};
  const perMaster = {};
  for (const [name, stats] of Object.entries(after)) {
    const delta = commandDelta(before[name], stats);
    perMaster[name] = perChunk(delta, chunks).perChunk;
    for (const [cmd, calls] of Object.entries(delta)) sum[cmd] = (sum[cmd] ?? 0) + calls;
  }
  return { ...perChunk(sum, chunks), perMaster };
}

/** Per-chunk figures of a delta: raw total, scripts, and the biggest contributors. */
export function perChunk(delta, chunks) {
  const total = Object.values(delta).reduce((a, b) => a + b, 0);
  const scripts = (delta.evalsha ?? 0) + (delta.eval ?? 0);
  const top = Object.entries(delta)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([cmd, calls]) => [cmd, Math.round((calls / chunks) * 1000) / 1000]);
  return { total, perChunk: total / chunks, scriptsPerChunk: scripts / chunks, top };
}

/** Several nodes' slowlog captures (a cluster's masters) as one. */
export function mergeSlowlogs(captures) {
  const merged = (field) => {
    const out = {};
    for (const c of captures) for (const [key, value] of Object.entries(c[field] ?? {})) out[key] = (out[key] ?? 0) + value;
    return out;
  };
  const sum = (field) => captures.reduce((a, c) => a + c[field], 0);
  return {
    issued: sum('issued'),
    insideScripts: sum('insideScripts'),
    scriptCalls: sum('scriptCalls'),
    chunkBatches: sum('chunkBatches'),
    byClient: merged('byClient'),
    byScript: merged('byScript'),
    usByClient: merged('usByClient'),
    usByScript: merged('usByScript'),
  };
}

/**
 * Script names by the SHA1 EVALSHA calls them by: the stream store's (from the built code) and
 * BullMQ's, so that a turn's script calls can be told apart (`byScript`). `chunk` is the chunk
 * script's SHA: its calls carry a pacing slot's chunks, so they are counted apart from a turn's own.
 */
async function scriptShas(root) {
  const names = new Map();
  const add = (name, lua) => {
    const sha = createHash('sha1').update(lua).digest('hex');
    names.set(sha, name);
    return sha;
  };
  let chunk;
  try {
    const dir = `${root}dist/apps/generator/libs/stream-store/src/scripts/`;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
      const mod = await import(pathToFileURL(dir + file).href);
      for (const [name, value] of Object.entries(mod)) {
        if (typeof value !== 'string') continue;
        const sha = add(name, value);
        if (name === 'APPEND_CHUNKS') chunk = sha;
      }
    }
  } catch {
    // no built code: the chunk batches are not told apart
  }
  try {
    const dir = `${root}node_modules/bullmq/dist/esm/scripts/`;
    for (const file of readdirSync(dir).filter((f) => /-\d+\.js$/.test(f))) {
      const mod = await import(pathToFileURL(dir + file).href);
      for (const value of Object.values(mod)) if (value?.content) add(`bullmq ${value.name}`, value.content);
    }
  } catch {
    // names are only a help
  }
  return { names, chunk };
}

export async function startSlowlogCapture(client) {
  await client.config('SET', 'slowlog-max-len', '2000000');
  await client.config('SET', 'slowlog-log-slower-than', '0');
  await client.slowlog('RESET');
}

/**
 * Client-issued commands since startSlowlogCapture, grouped by connection name and command;
 * entries with address "?:0" ran inside a script and are counted apart.
 */
export async function stopSlowlogCapture(client, root) {
  const { names, chunk: chunkSha } = await scriptShas(root);
  await client.config('SET', 'slowlog-log-slower-than', '10000');
  const entries = await client.slowlog('GET', '-1');
  await client.slowlog('RESET');
  await client.config('SET', 'slowlog-max-len', '128');
  const byClient = {};
  let issued = 0;
  let insideScripts = 0;
  let scriptCalls = 0;
  let chunkBatches = 0;
  const byScript = {};
  // Execution time (µs, as SLOWLOG measures it: the command's own run, not reading or answering
  // it); a command run inside a script is in its script's time.
  const usByClient = {};
  const usByScript = {};
  for (const [, , durationUs, args, addr, name] of entries) {
    const cmd = String(args[0]).toLowerCase();
    if (addr === '?:0') {
      insideScripts += 1;
      continue;
    }
    if (cmd === 'slowlog' || cmd === 'config') continue;
    issued += 1;
    const key = `${name || 'unnamed'} ${cmd}`;
    byClient[key] = (byClient[key] ?? 0) + 1;
    usByClient[key] = (usByClient[key] ?? 0) + Number(durationUs);
    if (cmd === 'evalsha' || cmd === 'eval' || cmd === 'fcall') {
      scriptCalls += 1;
      const script = names.get(String(args[1])) ?? String(args[1]).slice(0, 8);
      byScript[script] = (byScript[script] ?? 0) + 1;
      usByScript[script] = (usByScript[script] ?? 0) + Number(durationUs);
      if (cmd === 'evalsha' && chunkSha !== undefined && String(args[1]) === chunkSha) chunkBatches += 1;
    }
  }
  return { issued, insideScripts, scriptCalls, chunkBatches, byClient, byScript, usByClient, usByScript };
}
