import 'reflect-metadata';
import { loadConfig, startHttpApp, startTracing } from '@app/platform';
import { HistoryModule } from './history.module.js';

// First: the SDK (when OTEL_* asks for traces) is in place before any span can be started.
await startTracing('history');
const config = loadConfig('history');
await startHttpApp(HistoryModule.forRoot(config), config, 'history');
