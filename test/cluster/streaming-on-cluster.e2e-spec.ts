import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DoneEventData, MetaEventData } from '@app/contracts';
import { StreamKeys } from '@app/stream-store';
import { expectGapless, sessionHistory, storedReply } from '../support/history-probe.js';
import { TestRedisCluster } from '../support/redis-cluster.js';
import { readStream, type ReceivedEvent } from '../support/sse-reader.js';
import { ServiceProcess } from '../support/service-process.js';
import { databaseKinds, TestDatabase } from '../support/test-database.js';

// The whole product on a six-node Redis Cluster: two gateways, two generators and history, with
// REDIS_URL naming no server. One representative test each of streaming, resume, cancel and a
// fault, and the failover of the master that owns a running stream's slot. Opt-in with
// CLUSTER_TEST=1 (.ci/run sets it).
const enabled = process.env.CLUSTER_TEST === '1';
if (!enabled) process.stdout.write('streaming-on-cluster.e2e-spec: skipped, set CLUSTER_TEST=1 to run it on a six-node Redis Cluster\n');
const describeCluster = enabled ? describe : describe.skip;

// The stack caches replies (CACHE_SCOPE's default): each test of the generated path asks its own
// question, and checks it was generated; a failover test plays the first test's reply from the cache.
const user = 'cluster-user';
const question = 'How do I configure the Redis connection?';
const chunksOf = (events: ReceivedEvent[]) => events.filter((e) => e.event === undefined).length;

describeCluster('the product on a Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let database: TestDatabase;
  const services: ServiceProcess[] = [];
  let gateways: string[];
  let generators: ServiceProcess[];
  let keys: StreamKeys;

  beforeAll(async () => {
    cluster = await TestRedisCluster.start();
    database = await TestDatabase.create(databaseKinds().at(-1)!);
    const prefix = `t${randomUUID().slice(0, 8)}`;
    keys = new StreamKeys(prefix);
    const env = {
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_CLUSTER_NODES: cluster.nodeList,
      REDIS_PREFIX: prefix,
      PACING_MS: '20',
      DISCONNECT_GRACE_MS: '5000',
      RATE_LIMIT_REQUESTS: '0',
      MAX_STREAMS_PER_USER: '0',
      ...database.env,
    };
    const history = await ServiceProcess.start('history', env);
    services.push(history);
    const withHistory = { ...env, HISTORY_URL: history.url };
    generators = [await ServiceProcess.start('generator', withHistory), await ServiceProcess.start('generator', withHistory)];
    services.push(...generators);
    const gatewayProcesses = [await ServiceProcess.start('gateway', withHistory), await ServiceProcess.start('gateway', withHistory)];
    services.push(...gatewayProcesses);
    gateways = gatewayProcesses.map((g) => g.url);
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(services.map((s) => s.stop()));
    await database?.dispose();
    await cluster?.stop();
  }, 60_000);

  const start = (gateway: string, message: string, stopWhen?: (events: ReceivedEvent[]) => boolean, timeoutMs = 30_000) =>
    readStream(`${gateway}/api/v1/chat/unified/stream`, { body: { message, user_id: user }, stopWhen, timeoutMs });

  it('streams a reply over sharded pub/sub, gapless, and stores it once', async () => {
    const res = await start(gateways[0], question);
    expect(res.status).toBe(200);
    const done = res.json<DoneEventData>('done');
    expect(done).toMatchObject({ status: 'completed', cached: false });
    expectGapless(res.chunks.map((c) => c.seq));
    expect(done.chunks).toBe(res.chunks.length);
    const text = res.chunks.map((c) => c.text).join('');
    expect((await storedReply(gateways[0], done.session_id, done.stream_id)).content).toBe(text);
    const history = await sessionHistory(gateways[1], done.session_id);
    expect(history.messages.filter((m) => m.role === 'assistant')).toHaveLength(1);
  }, 60_000);

  it('resumes on the other gateway after Last-Event-ID', async () => {
    const first = await start(gateways[0], 'How does a client resume a stream?', (events) => chunksOf(events) >= 8);
    const meta = first.json<MetaEventData>('meta');
    const last = first.chunks.at(-1)!.seq;
    const rest = await readStream(`${gateways[1]}/api/v1/chat/streams/${meta.stream_id}`, { headers: { 'Last-Event-ID': String(last) } });
    const seqs = [...first.chunks, ...rest.chunks].map((c) => c.seq);
    expectGapless(seqs);
    expect(rest.json<DoneEventData>('done')).toMatchObject({ status: 'completed', chunks: seqs.length, cached: false });
  }, 60_000);

  it('cancels a running stream from the other gateway', async () => {
    let cancelled: Promise<Response> | undefined;
    const res = await start(gateways[0], 'How do I stop a reply?', (events) => {
      if (!cancelled && chunksOf(events) >= 5) {
        const meta = JSON.parse(events.find((e) => e.event === 'meta')!.data) as MetaEventData;
        cancelled = fetch(`${gateways[1]}/api/v1/chat/streams/${meta.stream_id}/cancel?user_id=${user}`, { method: 'POST' });
      }
      return false;
    });
    expect((await cancelled!).status).toBe(202);
    const done = res.json<DoneEventData>('done');
    expect(done.status).toBe('cancelled');
    expect((await storedReply(gateways[1], done.session_id, done.stream_id)).status).toBe('cancelled');
  }, 60_000);

  it('survives the generator holding a stream being killed: the stream completes gapless', async () => {
    let killed = false;
    const res = await start(gateways[1], 'What happens when a generator dies?', (events) => {
      if (!killed && chunksOf(events) >= 10) {
        killed = true;
        // Either generator may hold it; killing one of two leaves the other to take it over.
        process.kill(generators[0].pid!, 'SIGKILL');
      }
      return false;
    }, 60_000);
    const done = res.json<DoneEventData>('done');
    expect(done).toMatchObject({ status: 'completed', cached: false });
    expectGapless(res.chunks.map((c) => c.seq));
    expect((await storedReply(gateways[0], done.session_id, done.stream_id)).content).toBe(res.chunks.map((c) => c.text).join(''));
  }, 90_000);

  /** Kills the master of the stream's slot once 10 chunks are in; the stream must go on whole. */
  const streamThroughFailover = async (message: string) => {
    let failover: Promise<{ killed: number; promoted: number; promotedAfterMs: number }> | undefined;
    const res = await start(gateways[0], message, (events) => {
      if (!failover && chunksOf(events) >= 10) {
        const meta = JSON.parse(events.find((e) => e.event === 'meta')!.data) as MetaEventData;
        failover = cluster.killMaster(keys.log(meta.stream_id));
      }
      return false;
    }, 90_000);
    const { killed, promotedAfterMs } = await failover!;
    const done = res.json<DoneEventData>('done');
    expect(done.status).toBe('completed');
    const seqs = res.chunks.map((c) => c.seq);
    expectGapless(seqs);
    expect(done.chunks).toBe(seqs.length);
    const gaps = res.chunks.slice(1).map((c, i) => c.at - res.chunks[i].at);
    const pause = Math.max(...gaps);
    process.stdout.write(`failover (${done.cached ? 'cached' : 'generated'} reply): replica promoted after ${promotedAfterMs} ms, longest pause in the stream ${Math.round(pause)} ms\n`);
    expect(pause).toBeLessThan(10_000);
    const text = res.chunks.map((c) => c.text).join('');
    expect((await storedReply(gateways[1], done.session_id, done.stream_id, 30_000)).content).toBe(text);
    const history = await sessionHistory(gateways[1], done.session_id);
    expect(history.messages.filter((m) => m.stream_id === done.stream_id && m.role === 'assistant')).toHaveLength(1);
    // The killed node comes back as a replica, so the next failover has one to promote.
    await cluster.restart(killed);
    await cluster.waitReplicasInSync();
    return done;
  };

  // Before the other failover: its lookup must find the entry, and a lookup made while the
  // gateway's cluster client is still catching up after an earlier failover is a miss (the turn
  // is then generated, which is right for the product but not what this test is about).
  it('fails over under a reply played from the cache: the replay goes on the same way', async () => {
    const done = await streamThroughFailover(question);
    expect(done.cached).toBe(true);
  }, 120_000);

  it("fails over the master that owns a running stream's slot: the stream goes on, nothing lost, doubled or reordered", async () => {
    const done = await streamThroughFailover('How does the product survive a Redis failover?');
    expect(done.cached).toBe(false);
  }, 120_000);
});
