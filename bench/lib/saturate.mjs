// Saturation load in its own process: autocannon POSTs create-message requests as fast as the target answers.
// argv: url seconds connections; prints one JSON line with the figures.
import autocannon from 'autocannon';

const [url, seconds, connections] = process.argv.slice(2);
const body = JSON.stringify({
  applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
  to: ['+19195551234'],
  from: '+19195550100',
  text: 'load test',
  tag: 'sat',
});
const result = await autocannon({
  url: `${url}/users/9900000/messages`,
  method: 'POST',
  headers: { authorization: 'Basic ' + Buffer.from('bw-user:bw-password').toString('base64'), 'content-type': 'application/json' },
  body,
  connections: Number(connections),
  duration: Number(seconds),
});
process.stdout.write(
  JSON.stringify({
    requestsPerSec: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    accepted: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSec: result.duration,
  }) + '\n',
);
