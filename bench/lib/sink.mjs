// The callback sink, in its own process: answers 200 at once, counts callbacks per target (/cb/<target>) and, for
// events tagged `t:<hrtime ns>` by the paced loader, the POST-to-callback latency on the machine's monotonic clock.
// Delivery is at least once (an attempt that times out after the sink got it is sent again), so it counts POSTs, the
// distinct events (message, recipient, type) and messages among them, and the duplicates; a duplicate's arrival is no
// new latency sample.
import { createServer } from 'node:http';

const targets = new Map();
const targetOf = (name) => {
  let t = targets.get(name);
  if (!t) targets.set(name, (t = { received: 0, duplicates: 0, events: new Set(), messages: new Set(), latenciesMs: [] }));
  return t;
};
/** The event a callback POST carries (Bandwidth sends one per POST), or undefined for a body that is none. */
const eventOf = (text) => {
  try {
    const [event] = JSON.parse(text);
    return event?.message?.id === undefined ? undefined : { key: `${event.message.id} ${event.to} ${event.type}`, messageId: event.message.id };
  } catch {
    return undefined;
  }
};
const TAG = /"tag":"t:(\d+)"/;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url.startsWith('/stats/')) {
    // `?count` leaves the latency samples out (polled often while draining).
    const [name, query] = req.url.slice('/stats/'.length).split('?');
    const t = targetOf(name);
    const counts = { received: t.received, events: t.events.size, messages: t.messages.size, duplicates: t.duplicates };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...counts, latenciesMs: query === undefined ? t.latenciesMs : [] }));
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const arrived = process.hrtime.bigint();
    const t = targetOf(req.url.startsWith('/cb/') ? req.url.slice(4) : 'other');
    t.received++;
    const text = Buffer.concat(chunks).toString('utf8');
    const event = eventOf(text);
    const again = event !== undefined && t.events.has(event.key);
    if (again) t.duplicates++;
    else if (event) {
      t.events.add(event.key);
      t.messages.add(event.messageId);
    }
    const tag = again ? null : TAG.exec(text);
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
