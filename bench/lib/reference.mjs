// The reference: a bare Fastify 5 server with the same Basic check and 202 body shape as the emulator, POSTing one
// message-delivered callback per message with undici (keep-alive pool). What a fake cannot be much slower than.
import Fastify from 'fastify';
import { Agent, request } from 'undici';
import { randomBytes } from 'node:crypto';

const port = Number(process.env.PORT);
const callbackUrl = process.env.CALLBACK_URL;
const expected = 'Basic ' + Buffer.from('bw-user:bw-password').toString('base64');
const agent = new Agent({ keepAliveTimeout: 10_000, connections: 64 });
const app = Fastify({ logger: false });
let accepted = 0;

// How many 202s it sent: the bench's count of accepted messages, whatever the load generator saw before it stopped.
app.get('/stats', async () => ({ accepted }));

app.post('/users/:accountId/messages', async (req, reply) => {
  if (req.headers.authorization !== expected) return reply.code(401).send({ type: 'authentication-error', description: 'Unauthorized' });
  const body = /** @type {any} */ (req.body);
  const now = Date.now();
  const message = {
    id: String(now) + randomBytes(8).toString('hex'),
    owner: body.from,
    applicationId: body.applicationId,
    time: new Date(now).toISOString(),
    segmentCount: 1,
    direction: 'out',
    to: body.to,
    from: body.from,
    text: body.text ?? '',
    ...(body.tag !== undefined ? { tag: body.tag } : {}),
    priority: body.priority ?? 'default',
  };
  const event = [
    {
      type: 'message-delivered',
      time: new Date().toISOString(),
      description: 'Message delivered to handset.',
      to: body.to[0],
      message: { ...message, text: '' },
    },
  ];
  void request(callbackUrl, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(event), dispatcher: agent })
    .then((res) => res.body.dump())
    .catch(() => undefined);
  accepted++;
  return reply.code(202).send(message);
});

process.on('SIGINT', () => process.exit(0));
await app.listen({ host: '127.0.0.1', port });
