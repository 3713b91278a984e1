// The callback sink, in its own process: answers 200 at once, counts callbacks per target (/cb/<target>) and, for
// events tagged `t:<hrtime ns>` by the paced loader, the POST-to-callback latency on the machine's monotonic clock.
import { createServer } from 'node:http';

const targets = new Map();
const targetOf = (name) => {
  let t = targets.get(name);
  if (!t) targets.set(name, (t = { received: 0, latenciesMs: [] }));
  return t;
};
const TAG = /"tag":"t:(\d+)"/;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url.startsWith('/stats/')) {
    // `?count` leaves the latency samples out (polled often while draining).
    const [name, query] = req.url.slice('/stats/'.length).split('?');
    const t = targetOf(name);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received: t.received, latenciesMs: query === undefined ? t.latenciesMs : [] }));
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const arrived = process.hrtime.bigint();
    const t = targetOf(req.url.startsWith('/cb/') ? req.url.slice(4) : 'other');
    t.received++;
    const tag = TAG.exec(Buffer.concat(chunks).toString('latin1'));
    if (tag) t.latenciesMs.push(Number(arrived - BigInt(tag[1])) / 1e6);
    res.writeHead(200).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: /** @type {import('node:net').AddressInfo} */ (server.address()).port }));
process.on('message', (m) => {
  if (m !== 'stop') return;
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
