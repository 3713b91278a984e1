import type { StatusType } from '../callbacks/payloads.js';
import type { LocationResponse, SuggestionResponse } from '../store/messages.js';

/** One status event a recipient will get, `afterMs` emulated milliseconds after the 202. */
export interface PlannedStep {
  afterMs: number;
  type: StatusType;
  errorCode?: number;
  description?: string;
  /** Extra copies to send (a duplicated callback). */
  duplicates?: number;
  /** The event happens (status moves) but its callback is never sent. */
  dropped?: boolean;
}

/** A reply the recipient's handset sends back, `afterMs` after the 202. */
export interface PlannedReply {
  afterMs: number;
  from: string;
  to: string[];
  text: string;
  media?: string[];
  suggestionResponse?: SuggestionResponse;
  locationResponse?: LocationResponse;
}

/** What will happen to an outbound message: a timeline and an explanation per recipient, and any replies. */
export interface OutboundPlan {
  steps: Map<string, PlannedStep[]>;
  explanations: Map<string, string>;
  replies: PlannedReply[];
}
