import { statusCallbackUrl } from '../callbacks/timeline.js';
import { newMessageId } from '../ids.js';
import type { OutboundPlan } from '../model/plan.js';
import type { Rejection } from '../scenarios/engine.js';
import type { SenderRegistration } from '../scenarios/matcher.js';
import { countSegments } from '../segments.js';
import type { StoredMessage } from '../store/messages.js';
import { checkAccount } from './account-checks.js';
import type { CallbackRoute } from './callback-routing.js';
import { commitOrWithdraw } from './commit.js';
import { externalMediaLimit } from './provisioning-checks.js';
import { recordOutbound } from './provisioned-fields.js';
import { receiptPolicy } from './receipt-policy.js';
import type { InboundMessaging } from './inbound.js';
import type { ExternalMediaFetches } from './media-checks.js';
import type { CoreParts } from './parts.js';
import type { MessageRequest } from './types.js';

/** Outbound messages: accept (store QUEUED), check the account, plan with the scenarios, and play the plan. */
export class OutboundMessaging {
  constructor(
    private readonly parts: CoreParts,
    private readonly fetches: ExternalMediaFetches,
    private readonly inbound: InboundMessaging,
  ) {}

  /** Accept a validated outbound message: store it (QUEUED), plan its callbacks, and return it for the 202. */
  accept(accountId: string, request: MessageRequest): StoredMessage {
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
      segmentCount: countSegments(request),
      recipients: request.to.map((to) => ({ to, status: 'QUEUED', errorCode: 0, updatedAt: now })),
      timeline: [{ at: now, what: 'accepted' }],
    };
    recordOutbound(this.parts, message);
    this.parts.store.add(message);
    const { route, rejection, sender } = checkAccount(this.parts, accountId, request);
    const external = rejection ? [] : this.fetches.externalOf(accountId, request.media);
    if (external.length === 0) this.planAndPlay(message, route, rejection, sender);
    else void this.fetches.fetchThen(message, [external], ([failure]) => this.planAndPlay(message, route, failure, sender), [externalMediaLimit(sender)]);
    commitOrWithdraw(this.parts, { messages: [message] });
    return message;
  }

  // Plan the message's timeline (per recipient) and its scripted replies, and start playing them.
  private planAndPlay(message: StoredMessage, route: CallbackRoute, rejection: Rejection | undefined, sender?: SenderRegistration): void {
    const plan = this.parts.scenarios.planOutbound(message, this.parts.config.callbacks, rejection, sender, receiptPolicy(this.parts, message.accountId));
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
