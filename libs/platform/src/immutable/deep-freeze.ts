/**
 * Freezes `value` and everything it holds: for a result that several callers share (a decoded
 * cache entry, a remembered verdict), so that none of them can change it for the others.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
