import 'reflect-metadata';
import { loadConfig, startHttpApp } from '@app/platform';
import { HistoryModule } from './history.module.js';

const config = loadConfig('history');
await startHttpApp(HistoryModule.forRoot(config), config, 'history');
