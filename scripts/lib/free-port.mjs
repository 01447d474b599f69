// A free loopback port, for the start script, the benchmark and the test harness (test/support/free-port.ts
// re-exports it, typed by free-port.d.mts).
//
// The port is taken from below the kernel's range for outgoing connections (Linux's
// ip_local_port_range, 32768–60999 by default; macOS's starts at 49152), not handed out by the
// kernel (listen on port 0): a port from that range that is free now can become the local end of
// any process's outgoing connection before the service that was given it binds it, and then the
// service fails with EADDRINUSE for as long as that connection lives.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST = 20_000;
const ATTEMPTS = 100;

/**
 * `except`: ports already given to processes that may not have bound them yet. A port is free
 * until someone binds it, so two choices made before either bind could otherwise be the same one
 * (the kernel's own choice repeats a port just released, which is how a CI run's `npm start` gave
 * its private Redis the port its caller had chosen for the gateway).
 */
export async function freePort(except = []) {
  const below = Math.min(ephemeralRangeStart(), 32_768);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (below - LOWEST));
    if (!except.includes(port) && (await canListen(port))) return port;
  }
  return listenOn(0); // every port tried was taken: one the kernel picks
}

/** The first port of the kernel's range for outgoing connections (32768 where it cannot be read). */
function ephemeralRangeStart() {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > LOWEST + 1_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function canListen(port) {
  return listenOn(port).then(
    () => true,
    () => false,
  );
}

function listenOn(port) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address();
      server.close(() => resolve(bound));
    });
  });
}
