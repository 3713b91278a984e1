import type { AccountConfig, ApplicationConfig, StatusCallbackApplication } from '../config/resolve.js';

// Which application's callback settings (URL, callbackAuth, callbackTypes) an outbound message's status callbacks
// follow. Bandwidth's docs disagree, and neither covers a request whose applicationId is another application of the
// same account than the from number's (README "Which application gets the callbacks"):
// - older docs (the issue's seed): "Callbacks will be sent to the Callback URL for the Application associated with
//   the from number on the outgoing message";
// - current docs (Bandwidth/api-docs site/docs/messaging/webhooks.mdx, since 2021-07): "... for the Application
//   associated with the applicationId field sent with the send message payload".
// The account's statusCallbackApplication picks one; the message is sent either way, with a timeline note.

/** Where a message's status callbacks go: the application used, and the disagreement to note when there is one. */
export interface CallbackRoute {
  /** The application whose callback settings the status callbacks follow; undefined when the request has none (4452). */
  app: ApplicationConfig | undefined;
  /** Set when the request's applicationId and the from number's application are two applications of the account. */
  mismatch?: RoutingMismatch;
}

/** Two applications of one account that a message could send its callbacks to, and which one it does. */
interface RoutingMismatch {
  /** The request's applicationId. */
  requested: string;
  /** The application the from number is on. */
  fromNumber: string;
  /** The account's statusCallbackApplication, which decided. */
  used: StatusCallbackApplication;
}

/**
 * The route of a message's status callbacks from `from` sent with `requestApp` (the application the request's
 * applicationId resolved to). With 'fromNumber' a number the account owns sends them to its own application; with
 * 'request', or from anything else (an RBM agent, a number permissive mode makes up), they follow the request. A
 * mismatch is reported only between two applications the account has: permissive mode serves an unknown
 * applicationId as a copy of the first application, and takes any id by design.
 */
export function callbackRoute(account: AccountConfig, requestApp: ApplicationConfig, from: string): CallbackRoute {
  const entry = account.numbers.find((n) => n.number === from);
  const numberApp = entry && account.applications.find((app) => app.id === entry.applicationId);
  if (!numberApp || numberApp.id === requestApp.id) return { app: requestApp };
  const app = account.statusCallbackApplication === 'fromNumber' ? numberApp : requestApp;
  if (!account.applications.some((known) => known.id === requestApp.id)) return { app };
  return { app, mismatch: { requested: requestApp.id, fromNumber: numberApp.id, used: account.statusCallbackApplication } };
}
