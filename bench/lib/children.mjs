// Every process the bench starts is registered here, so that it is stopped by its own pid at the
// end, on error and on SIGINT — and nothing else is ever signalled.
const live = new Set();

export function track(child, name) {
  const entry = { child, name };
  live.add(entry);
  child.once('exit', () => live.delete(entry));
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export function stopChild(child, graceMs = 5_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function stopAll(graceMs = 5_000) {
  await Promise.allSettled([...live].map(({ child }) => stopChild(child, graceMs)));
}

/** Last resort on process exit: synchronous SIGKILL of whatever is still running. */
export function killAllNow() {
  for (const { child } of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
