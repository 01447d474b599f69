import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
/** The gateway the dev server forwards API calls to (`npm start` listens on 7000). */
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:7000';

// `npm run build:web` → dist/web at the repo root, which the gateway serves at `/` (WEB_DIR).
export default defineConfig({
  root,
  base: '/',
  // The framework-free contracts lib: types and constants shared with the server.
  resolve: { alias: { '@app/contracts': fileURLToPath(new URL('../../libs/contracts/src/index.ts', import.meta.url)) } },
  plugins: [svelte()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: { '/api': gateway, '/health': gateway },
  },
});
