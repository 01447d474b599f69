import 'reflect-metadata';
import { loadConfig, startHttpApp } from '@app/platform';
import { GeneratorModule } from './generator.module.js';

const config = loadConfig('generator');
await startHttpApp(GeneratorModule.forRoot(config), config, 'generator');
