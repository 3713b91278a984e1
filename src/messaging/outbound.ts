import { statusCallbackUrl } from '../callbacks/timeline.js';
import { bandwidthErrors } from '../errors.js';
import { newMessageId } from '../ids.js';
import type { OutboundPlan } from '../model/plan.js';
import type { Rejection } from '../scenarios/engine.js';
import type { SenderRegistration } from '../scenarios/matcher.js';
import { countSegments } from '../segments.js';
import type { StoredMessage } from '../store/messages.js';
import { checkAccount } from './account-checks.js';
import { callbackRoute, type CallbackRoute } from './callback-routing.js';
import { commitOrWithdraw } from './commit.js';
import { externalMediaLimit, senderRegistration } from './provisioning-checks.js';
import { recordOutbound } from './provisioned-fields.js';
import { receiptPolicy } from './receipt-policy.js';
import type { InboundMessaging } from './inbound.js';
import type { ExternalMediaFetches } from './media-checks.js';
import type { CoreParts } from './parts.js';
import type { QueuedMessage } from './account-queues.js';
import { honoursPriority, messageCost, senderLimit, type SenderLimit } from './throughput.js';
import type { MessageRequest } from './types.js';

// Bandwidth's code for an expiration that passes before the message could be sent: "If a message expires, Bandwidth
// will send a message-failed event with a 4360 error code" (https://support.bandwidth.com/hc/en-us/articles/1500004809341).
const EXPIRED_IN_QUEUE = 4360;

/** Outbound messages: accept (store QUEUED), check the account, plan with the scenarios, and play the plan. */
export class OutboundMessaging {
  constructor(
    private readonly parts: CoreParts,
    private readonly fetches: ExternalMediaFetches,
    private readonly inbound: InboundMessaging,
  ) {
    parts.queue.handle({ release: (item, waitedMs) => this.leaveQueue(item, waitedMs), expire: (item, waitedMs) => this.expireInQueue(item, waitedMs) });
  }

  /**
   * Accept a validated outbound message: store it (QUEUED), plan its callbacks, and return it for the 202. Under
   * throughput (production profile) a message above the rates waits in the account queue first, and a create the
   * queue has no room for is refused with Bandwidth's 429 before anything is stored.
   */
  accept(accountId: string, request: MessageRequest): StoredMessage {
    const throughput = this.parts.traffic.for(accountId).throughput ? this.admit(accountId, request) : undefined;
    const now = this.parts.clock.now();
    const message: StoredMessage = {
      id: newMessageId(now),
      accountId,
      direction: 'out',
      applicationId: request.applicationId,
      owner: request.from,
      from: request.from,
      to: request.to,
      text: request.text ?? '',
      media: request.media,
      tag: request.tag,
      priority: request.priority ?? 'default',
      expiration: request.expiration,
      time: now,
      segmentCount: throughput?.segmentCount ?? countSegments(request),
      recipients: request.to.map((to) => ({ to, status: 'QUEUED', errorCode: 0, updatedAt: now })),
      timeline: [{ at: now, what: 'accepted' }],
    };
    recordOutbound(this.parts, message);
    this.parts.store.add(message);
    const { route, rejection, sender } = checkAccount(this.parts, accountId, request);
    // A message the account checks fail does not wait: it fails at once, as in the fast profile.
    if (throughput && !rejection) this.queueOrSend(message, throughput, route, sender);
    else this.send(message, route, rejection, sender);
    commitOrWithdraw(this.parts, { messages: [message] });
    return message;
  }

  // Plan and play now, or (external media to fetch) once it is fetched.
  private send(message: StoredMessage, route: CallbackRoute, rejection: Rejection | undefined, sender?: SenderRegistration): void {
    const external = rejection ? [] : this.fetches.externalOf(message.accountId, message.media);
    if (external.length === 0) this.planAndPlay(message, route, rejection, sender);
    else void this.fetches.fetchThen(message, [external], ([failure]) => this.planAndPlay(message, route, failure, sender), [externalMediaLimit(sender)]);
  }

  // Before anything is stored: the from number's limiter, the cost in segments, and room in the queue (else the 429).
  private admit(accountId: string, request: MessageRequest): { segmentCount: number; cost: number; limit: SenderLimit; high: boolean } {
    const account = this.parts.accounts.get(accountId);
    const entry = account && this.parts.accounts.number(account, request.from);
    const segmentCount = countSegments(request);
    const cost = messageCost({ segmentCount, to: request.to });
    const limit = senderLimit(request.from, entry, this.parts.traffic.for(accountId).rates);
    const refusal = this.parts.queue.admit(accountId, cost, limit);
    if (refusal) throw bandwidthErrors.queueFull(refusal.retryAfterSeconds, refusal.figures);
    return { segmentCount, cost, limit, high: request.priority === 'high' && honoursPriority(request, entry) };
  }

  private queueOrSend(
    message: StoredMessage,
    throughput: { cost: number; limit: SenderLimit; high: boolean },
    route: CallbackRoute,
    sender: SenderRegistration | undefined,
  ): void {
    const { cost, limit, high } = throughput;
    const offered = this.parts.queue.offer(message.accountId, { message, cost, limit, high, context: { route, sender } });
    if (!offered.queued) {
      this.send(message, route, undefined, sender);
      return;
    }
    const ignored = message.priority === 'high' && !high;
    this.parts.store.note(message, {
      at: this.parts.clock.now(),
      what: 'queued',
      detail: {
        segments: cost,
        aheadSegments: offered.aheadSegments,
        limiter: limit.what,
        reason: `waits in the account queue: ${offered.reason}${ignored ? "; priority high does not apply to MMS from a local or toll-free number (Bandwidth's priority queueing covers short code SMS/MMS, 10DLC SMS and toll-free SMS)" : ''}`,
      },
    });
  }

  /**
   * Put messages that were waiting in their queues when the emulator stopped back in them (a data dir restore, a state
   * import), high priority first, then in the order given (accepted), keeping each one's wait so far (real time since
   * its queued note over the time scale). Route and limiter are worked out again from the account as configured now;
   * with throughput off a message goes now. After a restart the limiters are free: the first of each account goes.
   */
  requeue(messages: readonly StoredMessage[]): void {
    const { clock } = this.parts;
    const items = messages.map((message, index) => {
      const account = this.parts.accounts.get(message.accountId);
      const app = account && this.parts.accounts.application(account, message.applicationId);
      const route: CallbackRoute = account && app ? callbackRoute(account, app, message.from) : { app };
      const entry = account && this.parts.accounts.number(account, message.from);
      const settings = this.parts.traffic.for(message.accountId);
      let queuedAt = message.time;
      for (const note of message.timeline) if (note.what === 'queued') queuedAt = note.at;
      const item: QueuedMessage = {
        message,
        cost: messageCost(message),
        limit: senderLimit(message.from, entry, settings.rates),
        high: message.priority === 'high' && honoursPriority(message, entry),
        context: { route, sender: senderRegistration(entry) },
      };
      return { item, index, throughput: settings.throughput, waitedMs: clock.scale > 0 ? Math.max(0, Math.round((clock.now() - queuedAt) / clock.scale)) : 0 };
    });
    items.sort((a, b) => Number(b.item.high) - Number(a.item.high) || a.index - b.index);
    for (const { item, throughput, waitedMs } of items) {
      const offered = throughput ? this.parts.queue.offer(item.message.accountId, item, waitedMs) : { queued: false };
      if (!offered.queued) this.leaveQueue(item, waitedMs);
    }
  }

  // A queued message's turn: its plan is made and played now, so every event is later by exactly the wait.
  private leaveQueue(item: Pick<QueuedMessage, 'message' | 'context'>, waitedMs: number): void {
    const { message, context } = item;
    if (this.parts.store.wasWithdrawn(message)) return;
    this.parts.store.note(message, { at: this.parts.clock.now(), what: 'dequeued', detail: { waitedMs } });
    this.send(message, context.route, undefined, context.sender);
  }

  // Its expiration passed while it waited: message-failed 4360 for every recipient, at once.
  private expireInQueue(item: QueuedMessage, waitedMs: number): void {
    const { message, context } = item;
    if (this.parts.store.wasWithdrawn(message)) return;
    this.parts.store.note(message, { at: this.parts.clock.now(), what: 'dequeued', detail: { waitedMs, expired: true } });
    const why = `expiration ${message.expiration} passed after ${waitedMs} ms in the account queue: message-failed ${EXPIRED_IN_QUEUE}`;
    const plan: OutboundPlan = { steps: new Map(), explanations: new Map(), replies: [] };
    for (const to of message.to) {
      plan.steps.set(to, [{ afterMs: 0, type: 'message-failed', errorCode: EXPIRED_IN_QUEUE }]);
      plan.explanations.set(to, why);
    }
    this.play(message, plan, context.route);
  }

  // Plan the message's timeline (per recipient) and its scripted replies, and start playing them.
  private planAndPlay(message: StoredMessage, route: CallbackRoute, rejection: Rejection | undefined, sender?: SenderRegistration): void {
    const plan = this.parts.scenarios.planOutbound(
      message,
      this.parts.config.callbacks,
      rejection,
      sender,
      receiptPolicy(this.parts, message.accountId, route.app),
    );
    this.play(message, plan, route);
  }

  /**
   * Play a plan with its status callbacks on `route`, `offsetMs` later than planned (after multichannel fallbacks),
   * its explanations prefixed by `preface`.
   */
  play(message: StoredMessage, plan: OutboundPlan, route: CallbackRoute, offsetMs = 0, preface = ''): void {
    if (offsetMs > 0 || preface) {
      for (const [to, steps] of plan.steps)
        plan.steps.set(
          to,
          steps.map((step) => ({ ...step, afterMs: step.afterMs + offsetMs })),
        );
      for (const [to, why] of plan.explanations) plan.explanations.set(to, `${preface}${why}`);
    }
    const { log, timeline } = this.parts;
    // A line per message at info would cost more than the message itself under load; the plan is in the timeline.
    if (log.isLevelEnabled('debug'))
      log.debug({ messageId: message.id, accountId: message.accountId, to: message.to, plan: Object.fromEntries(plan.explanations) }, 'message accepted');
    this.noteRoute(message, route);
    timeline.playOutbound(message, plan, route.app);
    plan.replies.forEach((reply, index) => {
      this.inbound.scheduleReply(message, `${message.id}/${index}`, reply, offsetMs + reply.afterMs);
    });
  }

  // Before the plan is played: the message remembers the application it calls back (a restart and a carrier action
  // read it), and a request whose applicationId is not its from number's application says where its callbacks go.
  private noteRoute(message: StoredMessage, route: CallbackRoute): void {
    const { app, mismatch } = route;
    // The use case that made the message sets it before the plan's notes tell the store's listeners (ARCHITECTURE §3).
    if (app && app.id !== message.applicationId) message.callbackApplicationId = app.id;
    if (!app || !mismatch) return;
    const callbackUrl = statusCallbackUrl(app) ?? null;
    const whose = mismatch.used === 'fromNumber' ? "the from number's" : "the request's";
    const reason =
      `applicationId ${mismatch.requested} is not the application of from ${message.from} (${mismatch.fromNumber}): status callbacks follow ` +
      `${whose} application ${app.id} (statusCallbackApplication: ${mismatch.used}) ${callbackUrl ? `to ${callbackUrl}` : 'that has no URL (journaled no-target)'}`;
    const detail = {
      requestApplicationId: mismatch.requested,
      fromNumberApplicationId: mismatch.fromNumber,
      statusCallbackApplication: mismatch.used,
      callbackApplicationId: app.id,
      callbackUrl,
    };
    this.parts.store.note(message, { at: this.parts.clock.now(), what: 'callback-routing', detail: { ...detail, reason } });
    // At info, unlike the per-message debug line above: it is rare, and it changes where the user's callbacks go.
    this.parts.log.info({ messageId: message.id, accountId: message.accountId, ...detail }, reason);
  }
}
