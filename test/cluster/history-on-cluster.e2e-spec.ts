import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HISTORY_CONSUMER_GROUP, turnEventFields, TurnEventKind, type SessionHistory, type TurnStartedData } from '@app/contracts';
import { StreamKeys } from '@app/stream-store';
import { commandConnection, waitReady, type RedisClient } from '@app/platform';
import { until } from '../support/until.js';
import { TestRedisCluster } from '../support/redis-cluster.js';
import { ServiceProcess } from '../support/service-process.js';
import { databaseKinds, TestDatabase } from '../support/test-database.js';

// The history service as a real process on a six-node Redis Cluster: its consumer group on the
// turn events stream, its readiness, and the failover of the master that holds that stream.
// Opt-in with CLUSTER_TEST=1 (.ci/run sets it).
const enabled = process.env.CLUSTER_TEST === '1';
if (!enabled) process.stdout.write('history-on-cluster.e2e-spec: skipped, set CLUSTER_TEST=1 to run it on a six-node Redis Cluster\n');
const describeCluster = enabled ? describe : describe.skip;

function turn(): TurnStartedData {
  return { stream_id: randomUUID(), session_id: randomUUID(), user_id: 'cluster', message: 'What is pacing?', created_at: new Date().toISOString() };
}

describeCluster('history on a Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let database: TestDatabase;
  let history: ServiceProcess;
  let redis: RedisClient;
  let keys: StreamKeys;

  beforeAll(async () => {
    cluster = await TestRedisCluster.start();
    database = await TestDatabase.create(databaseKinds().at(-1)!); // PostgreSQL when TEST_DATABASE_URL names one: it starts sooner
    const prefix = `t${randomUUID().slice(0, 8)}`;
    keys = new StreamKeys(prefix);
    // REDIS_URL names no server: every connection must take the cluster.
    const env = { REDIS_URL: 'redis://127.0.0.1:1', REDIS_CLUSTER_NODES: cluster.nodeList, REDIS_PREFIX: prefix, ...database.env };
    history = await ServiceProcess.start('history', env);
    redis = commandConnection({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_CLUSTER_NODES: cluster.seeds }, 'test:commands');
    redis.on('error', () => undefined);
    await waitReady(redis, 10_000);
  }, 120_000);

  afterAll(async () => {
    redis?.disconnect();
    await history?.stop();
    await database?.dispose();
    await cluster?.stop();
  }, 30_000);

  const add = (started: TurnStartedData) => redis.xadd(keys.turnEvents(), '*', ...turnEventFields({ kind: TurnEventKind.TurnStarted, turn: started }));

  async function stored(started: TurnStartedData, timeoutMs: number): Promise<SessionHistory> {
    return until(
      async () => {
        const res = await fetch(`${history.url}/sessions/${started.session_id}`);
        return res.ok ? ((await res.json()) as SessionHistory) : undefined;
      },
      timeoutMs,
      `turn ${started.stream_id} stored`,
    );
  }

  it('is ready and stores a turn read from the hash-tagged turn events stream', async () => {
    expect((await fetch(`${history.url}/health/ready`)).status).toBe(200);
    const started = turn();
    await add(started);
    expect((await stored(started, 10_000)).messages.map((m) => m.content)).toEqual([started.message]);
    await until(async () => ((await redis.xlen(keys.turnEvents())) === 0 ? true : undefined), 10_000, 'the stream drained');
  });

  it('keeps reading after the master that holds the stream fails over, and stores each turn once', async () => {
    const before = turn();
    await add(before);
    const failover = await cluster.killMaster(keys.turnEvents());
    expect(failover.promotedAfterMs).toBeLessThan(5_000);

    const after = turn();
    await until(() => add(after), 10_000, 'a turn event added after the failover');
    for (const started of [before, after]) expect((await stored(started, 20_000)).messages).toHaveLength(1);
    await until(
      async () => ((await redis.xpending(keys.turnEvents(), HISTORY_CONSUMER_GROUP)) as [number])[0] === 0 || undefined,
      20_000,
      'nothing pending',
    );
    expect((await fetch(`${history.url}/health/ready`)).status).toBe(200);
  }, 60_000);
});
