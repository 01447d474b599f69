#!/usr/bin/env node
// `node bench/kb-retrieval.mjs [--database=URL]` (after `npm run build`): the latency of the two
// ways retrieval could work (docs/architecture.md "Knowledge base"): the database ranking sections
// (history's GET /kb/search: PostgreSQL full-text search, HTTP included, as a generator would call
// it) against the generator's in-process index (one Redis GET of the version + the BM25 search).
// Starts a private history on a fresh PGlite directory (or a private database on URL) with the
// shipped kb/, and a private redis-server. Prints p50/p99 in ms over the same questions.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { database: { type: 'string' }, rounds: { type: 'string', default: '20' } } });
const rounds = Number(values.rounds);
const QUESTIONS = [
  'How do I configure the Redis connection?',
  'What is pacing?',
  'How do I run the tests?',
  'What happens when a generator crashes mid-stream?',
  'Which HTTP status does a rate-limited request get?',
  'How does Server-Sent Events reconnection work?',
  'What is the event loop in Node.js?',
  'Tell me about Docker Compose profiles',
  'What does ELP measure?',
  'How are sessions deleted?',
];

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function until(check, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up`);
}

function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const fmt = (samples) => `p50 ${percentile(samples, 50).toFixed(3)} ms, p99 ${percentile(samples, 99).toFixed(3)} ms (n=${samples.length})`;

const children = [];
const cleanups = [];
try {
  const redisPort = await freePort();
  const redisDir = mkdtempSync(join(tmpdir(), 'kb-bench-redis-'));
  cleanups.push(() => rmSync(redisDir, { recursive: true, force: true }));
  children.push(spawn('redis-server', ['--port', String(redisPort), '--save', '', '--appendonly', 'no', '--dir', redisDir], { stdio: 'ignore' }));
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const redis = new Redis(redisUrl);
  redis.on('error', () => undefined);
  await until(async () => (await redis.ping()) === 'PONG', 10_000, 'redis');

  const env = { PATH: process.env.PATH, REDIS_URL: redisUrl, REDIS_PREFIX: 'kbbench', LOG_LEVEL: 'warn', HOST: '127.0.0.1' };
  let label = 'PGlite';
  if (values.database) {
    const name = `kb_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: values.database });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(values.database);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    label = 'PostgreSQL';
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: values.database });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    });
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'kb-bench-history-'));
    env.HISTORY_DATA_DIR = dir;
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  }
  const historyPort = await freePort();
  children.push(spawn(process.execPath, [join(root, 'dist/apps/history/apps/history/src/main.js')], { cwd: root, env: { ...env, PORT: String(historyPort) }, stdio: 'inherit' }));
  const history = `http://127.0.0.1:${historyPort}`;
  await until(async () => (await fetch(`${history}/health/ready`)).ok, 30_000, 'history');

  // The generator's path: its modules from the build, the index loaded from history as it does.
  const builtin = join(root, 'dist/apps/generator/apps/generator/src/providers');
  const { snapshotOf } = await import(join(builtin, 'knowledge/knowledge-store.js'));
  const { buildRetrievalQuery } = await import(join(builtin, 'builtin/retrieval-query.js'));
  const loadStarted = performance.now();
  const snapshot = snapshotOf(await (await fetch(`${history}/kb/index`)).json());
  const loadMs = performance.now() - loadStarted;

  const database = [];
  const inProcess = [];
  for (let round = 0; round < rounds + 2; round++) {
    for (const question of QUESTIONS) {
      let started = performance.now();
      const hits = await (await fetch(`${history}/kb/search?limit=8&q=${encodeURIComponent(question)}`)).json();
      const dbMs = performance.now() - started;
      started = performance.now();
      await redis.get('kbbench:kb:version');
      const found = snapshot.kb.find(buildRetrievalQuery(question, []));
      const localMs = performance.now() - started;
      if (round >= 2) {
        // The first two rounds warm both paths up (JIT, connections, caches).
        database.push(dbMs);
        inProcess.push(localMs);
      }
      if (round === 2 && process.env.KB_BENCH_SHOW) process.stdout.write(`${question}\n  db: ${hits.slice(0, 3).map((h) => h.ref).join(', ')}\n  in-process: ${found.slice(0, 3).map((h) => h.section.ref).join(', ')}\n`);
    }
  }
  process.stdout.write(`knowledge base: ${snapshot.kb.sections.length} sections of ${snapshot.kb.articles.length} articles; history on ${label}\n`);
  process.stdout.write(`database search (HTTP to history + ts_rank_cd): ${fmt(database)}\n`);
  process.stdout.write(`in-process index (Redis GET of the version + BM25): ${fmt(inProcess)}\n`);
  process.stdout.write(`loading the index from history (once per version): ${loadMs.toFixed(1)} ms\n`);
  redis.disconnect();
} finally {
  for (const child of children.reverse()) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  for (const cleanup of cleanups) await cleanup();
}
