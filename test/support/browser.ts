import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

/** The UI build the gateway serves in browser tests (`npm run build:web`). */
export const WEB_DIR = `${fileURLToPath(new URL('../..', import.meta.url))}dist/web`;
export const DESKTOP = { width: 1280, height: 800 };

/** Debian's Chromium, headless; the background-networking flags keep it off this closed network. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}
