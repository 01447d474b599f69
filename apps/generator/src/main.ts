import 'reflect-metadata';
import { loadConfig, startHttpApp, startTracing } from '@app/platform';
import { GeneratorModule } from './generator.module.js';

// First: the SDK (when OTEL_* asks for traces) is in place before any span can be started.
await startTracing('generator');
const config = loadConfig('generator');
await startHttpApp(GeneratorModule.forRoot(config), config, 'generator');
