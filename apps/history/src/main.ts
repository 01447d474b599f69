import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadConfig, startHttpApp, startTracing } from '@app/platform';
import { HistoryModule } from './history.module.js';

// First: the SDK (when OTEL_* asks for traces) is in place before any span can be started.
await startTracing('history');
const config = loadConfig('history');
await startHttpApp(HistoryModule.forRoot(config), config, 'history');
// Now, and again once the boot's allocations are 5 s behind (see below).
collectBootGarbage();
setTimeout(collectBootGarbage, 5_000).unref();

/**
 * Booting (loading about 2,000 modules, opening the database) grows V8's young generation to its
 * 32 MB maximum, and V8's memory reducer gives it back only ~35 s after the process goes idle. A
 * full collection shrinks it when the allocation rate of the last 5 s is low, so one such
 * collection a few seconds after boot returns it early (a busy process keeps its young
 * generation): idle RSS 10 s after ready went from 181 to 152 MB on a reopened embedded database.
 * V8 estimates that rate from what was allocated between the last collections, so the boot's last
 * stretch (after its last collection) counted as the last 5 s whenever it was large: then the
 * collection kept the young generation, and history sat at 169-180 MB until the memory reducer
 * ran. The collection at ready closes that stretch; the one 5 s later sees only the idle process.
 * `gc` is exposed only in a throwaway context, for each call.
 */
function collectBootGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  gc();
}
