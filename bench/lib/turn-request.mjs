// A stream start's request as the yardstick servers (bench/reference-server.mjs, bench/relay/)
// read it: plain node:http, the body parsed as JSON and checked for `message` and `user_id`.

/** The request's body, or undefined once a 400 has been answered; a valid one's socket sends each write at once. */
export async function readTurnRequest(req, res) {
  const body = await readJson(req);
  if (typeof body?.message !== 'string' || typeof body?.user_id !== 'string') {
    res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"statusCode":400,"error":"Bad Request"}');
    return undefined;
  }
  req.socket.setNoDelay(true); // as the gateway does: each event leaves at once
  return body;
}

function readJson(req) {
  return new Promise((resolve) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (part) => (raw += part));
    req.on('end', () => {
      try {
        resolve(JSON.parse(raw));
      } catch {
        resolve(undefined);
      }
    });
  });
}
