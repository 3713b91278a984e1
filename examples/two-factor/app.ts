// A small two-factor login service on Bandwidth Messaging: it texts a 6-digit code, learns from Bandwidth's
// callbacks whether the code was delivered, whether the user typed it back and whether the user opted out.
import { randomInt, randomUUID } from 'node:crypto';
import { Configuration, MessagesApi } from 'bandwidth-sdk';
import Fastify, { type FastifyInstance } from 'fastify';

/** Where and as whom the app sends: the account's API user, messaging application and one of its numbers. */
export interface BandwidthOptions {
  basePath: string;
  username: string;
  password: string;
  accountId: string;
  applicationId: string;
  from: string;
}

/** What the app knows about one phone. */
interface PhoneState {
  code?: string; // the pending code, until it is typed back
  loginId?: string; // sent as the message's tag; status callbacks echo it, so an old receipt is never mistaken for a new one
  delivered: boolean;
  verified: boolean;
  optedOut: boolean;
}

/** One element of the JSON array Bandwidth POSTs to the callback URL (only the fields used here). */
interface BandwidthEvent {
  type: 'message-sending' | 'message-delivered' | 'message-failed' | 'message-received';
  to: string; // status events: the recipient; message-received: our number
  errorCode?: number;
  message: { from: string; text: string; tag?: string };
}

const OPT_OUT = /^\s*(stop|unsubscribe)\s*$/i;
const OPTED_OUT_BY_CARRIER = 4775; // message-failed: destination rejected due to user opt out

export function buildTwoFactorApp(options: { bandwidth: BandwidthOptions }): FastifyInstance {
  const { bandwidth } = options;
  const app = Fastify();
  const phones = new Map<string, PhoneState>();

  const stateOf = (phone: string): PhoneState => {
    let state = phones.get(phone);
    if (!state) phones.set(phone, (state = { delivered: false, verified: false, optedOut: false }));
    return state;
  };

  // The SDK client is made on first use, so a test may listen before it knows the Bandwidth base URL.
  let messagesApi: MessagesApi | undefined;
  const messages = () =>
    (messagesApi ??= new MessagesApi(new Configuration({ basePath: bandwidth.basePath, username: bandwidth.username, password: bandwidth.password })));

  app.post<{ Body: { phone: string } }>(
    '/login',
    { schema: { body: { type: 'object', required: ['phone'], properties: { phone: { type: 'string', pattern: '^\\+[1-9]\\d{1,14}$' } } } } },
    async (request, reply) => {
      const { phone } = request.body;
      const state = stateOf(phone);
      // Texting someone who opted out breaks the rules of the road (and Bandwidth would fail it with 4775).
      if (state.optedOut) return reply.code(409).send({ error: 'opted-out', phone });

      // Remember the code before sending: the callbacks may arrive before createMessage's promise settles.
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const loginId = randomUUID();
      Object.assign(state, { code, loginId, delivered: false, verified: false });
      try {
        const { data } = await messages().createMessage(bandwidth.accountId, {
          applicationId: bandwidth.applicationId,
          from: bandwidth.from,
          to: [phone] as unknown as Set<string>, // typed as a Set by the SDK; an array is what goes on the wire
          text: `Your login code is ${code}`,
          tag: loginId,
        });
        return reply.code(202).send({ messageId: data.id });
      } catch (error) {
        Object.assign(state, { code: undefined, loginId: undefined });
        request.log.error({ err: error }, 'sending the code failed');
        return reply.code(502).send({ error: 'sms-not-sent' });
      }
    },
  );

  // Bandwidth POSTs every callback here (in production, protect it with the application's callback credentials).
  // State changes before the 2xx goes back, so once Bandwidth sees the 2xx the event has been processed.
  app.post<{ Body: BandwidthEvent[] }>('/webhooks/bandwidth', { schema: { body: { type: 'array' } } }, async (request, reply) => {
    for (const event of request.body) {
      if (event.type === 'message-received') {
        const state = stateOf(event.message.from);
        const text = event.message.text ?? '';
        if (OPT_OUT.test(text)) {
          Object.assign(state, { optedOut: true, code: undefined });
        } else if (state.code !== undefined && text.match(/\b\d{6}\b/g)?.includes(state.code)) {
          // The reply may wrap the code in words ("my code is 123456"): any 6-digit group equal to it counts.
          Object.assign(state, { verified: true, code: undefined });
        }
      } else if (event.type === 'message-failed' && event.errorCode === OPTED_OUT_BY_CARRIER) {
        Object.assign(stateOf(event.to), { optedOut: true, code: undefined });
      } else if (event.type === 'message-delivered') {
        const state = stateOf(event.to);
        if (state.loginId !== undefined && event.message.tag === state.loginId) state.delivered = true;
      }
    }
    return reply.code(204).send();
  });

  app.get<{ Params: { phone: string } }>('/status/:phone', async (request) => {
    const state = phones.get(request.params.phone);
    return { verified: state?.verified ?? false, optedOut: state?.optedOut ?? false, delivered: state?.delivered ?? false };
  });

  return app;
}
