// The start script's and the bench's choice of port (scripts/lib/free-port.mjs: below the kernel's
// range for outgoing connections, so that no outgoing connection can take it before the service
// it is for binds it), typed by free-port.d.mts beside it.
export { freePort } from '../../scripts/lib/free-port.mjs';
