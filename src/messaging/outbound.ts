import type { ApplicationConfig } from '../config/resolve.js';
import { newMessageId } from '../ids.js';
import type { OutboundPlan } from '../model/plan.js';
import type { Rejection } from '../scenarios/engine.js';
import type { SenderRegistration } from '../scenarios/matcher.js';
import { countSegments } from '../segments.js';
import type { StoredMessage } from '../store/messages.js';
import { checkAccount } from './account-checks.js';
import { commitOrWithdraw } from './commit.js';
import { externalMediaLimit } from './provisioning-checks.js';
import { recordOutbound } from './provisioned-fields.js';
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
    const { app, rejection, sender } = checkAccount(this.parts, accountId, request);
    const external = rejection ? [] : this.fetches.externalOf(accountId, request.media);
    if (external.length === 0) this.planAndPlay(message, app, rejection, sender);
    else void this.fetches.fetchThen(message, [external], ([failure]) => this.planAndPlay(message, app, failure, sender), [externalMediaLimit(sender)]);
    commitOrWithdraw(this.parts, { messages: [message] });
    return message;
  }

  // Plan the message's timeline (per recipient) and its scripted replies, and start playing them.
  private planAndPlay(message: StoredMessage, app: ApplicationConfig | undefined, rejection: Rejection | undefined, sender?: SenderRegistration): void {
    this.play(message, this.parts.scenarios.planOutbound(message, this.parts.config.callbacks, rejection, sender), app);
  }

  /** Play a plan, `offsetMs` later than planned (after multichannel fallbacks), its explanations prefixed by `preface`. */
  play(message: StoredMessage, plan: OutboundPlan, app: ApplicationConfig | undefined, offsetMs = 0, preface = ''): void {
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
    timeline.playOutbound(message, plan, app);
    plan.replies.forEach((reply, index) => {
      this.inbound.scheduleReply(message, `${message.id}/${index}`, reply, offsetMs + reply.afterMs);
    });
  }
}
