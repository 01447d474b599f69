import cluster from 'node:cluster';
import { Logger } from '@nestjs/common';

/** A worker that died is forked again after this long (not in a tight loop if it dies at start). */
const REFORK_DELAY_MS = 1_000;

/**
 * With `workers` > 1, this process becomes a supervisor that forks that many gateway processes
 * sharing its listening port (node:cluster hands each new connection to one of them) and returns
 * true; the caller then starts no app of its own. A gateway is one JavaScript thread: a burst of
 * stream starts queues on it while the machine's other cores idle. Every worker is a complete,
 * stateless gateway (its own Redis connections and subscriber; caps such as
 * MAX_STREAMS_PER_GATEWAY count per worker). SIGTERM/SIGINT go to every worker, which drain as a
 * single gateway does; the supervisor exits when the last one has.
 */
export function forkGatewayWorkers(workers: number): boolean {
  if (workers <= 1 || !cluster.isPrimary) return false;
  const logger = new Logger('gateway');
  let stopping = false;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.warn(`gateway worker ${worker.process.pid} exited (${signal ?? `exit code ${code}`}); forking another in ${REFORK_DELAY_MS} ms`);
    setTimeout(() => !stopping && cluster.fork(), REFORK_DELAY_MS);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    });
  }
  logger.log(`gateway supervisor: ${workers} workers share the port`);
  return true;
}
