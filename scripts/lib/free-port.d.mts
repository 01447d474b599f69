/** A free loopback port below the kernel's range for outgoing connections (see free-port.mjs). */
export function freePort(except?: readonly number[]): Promise<number>;
