// A free loopback port, for the start script and the benchmark (the TypeScript test harness has
// its own in test/support/free-port.ts: .ts cannot import this without allowJs).
import { createServer } from 'node:net';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
