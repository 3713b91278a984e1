// Paced load in its own process: `rate` create-message requests a second for `seconds`, each tagged with the send
// time on the machine's monotonic clock (hrtime, shared by every process), so the sink can time POST-to-callback.
// argv: url rate seconds; prints one JSON line.
import { Pool } from 'undici';

const [url, rateArg, secondsArg] = process.argv.slice(2);
const rate = Number(rateArg);
const total = Math.round(rate * Number(secondsArg));
const pool = new Pool(url, { connections: 32 });
const headers = { authorization: 'Basic ' + Buffer.from('bw-user:bw-password').toString('base64'), 'content-type': 'application/json' };
let sent = 0;
let accepted = 0;
let errors = 0;
const inFlight = new Set();

function sendOne() {
  const body = JSON.stringify({
    applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
    to: ['+19195551234'],
    from: '+19195550100',
    text: 'paced',
    tag: `t:${process.hrtime.bigint()}`,
  });
  const p = pool
    .request({ path: '/users/9900000/messages', method: 'POST', headers, body })
    .then(async (res) => {
      await res.body.dump();
      if (res.statusCode === 202) accepted++;
      else errors++;
    })
    .catch(() => errors++)
    .finally(() => inFlight.delete(p));
  inFlight.add(p);
  sent++;
}

const start = performance.now();
await new Promise((resolve) => {
  const tick = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    while (sent < due) sendOne();
    if (sent >= total) {
      clearInterval(tick);
      resolve();
    }
  }, 1);
});
await Promise.all(inFlight);
await pool.close();
process.stdout.write(JSON.stringify({ sent, accepted, errors, seconds: (performance.now() - start) / 1000 }) + '\n');
