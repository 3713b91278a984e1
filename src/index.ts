// The public library API: re-exports only.
export { startEmulator, type RunningEmulator, type EmulatorAccount, type StartOptions } from './start.js';
export type { OptionShortcuts } from './config/options.js';
export { connectEmulator, type RemoteEmulator } from './control/client.js';
export {
  ControlInputError,
  type AccountSummary,
  type ControlOperations,
  type ControlMessage,
  type ErrorCodeTable,
  type MessageFilter,
  type Health,
  type RecipientFailure,
} from './control/operations.js';
export {
  ThrowawayAccountError,
  MAX_THROWAWAY_ACCOUNTS,
  type ThrowawayAccount,
  type ThrowawayAccountRequest,
} from './throwaway-accounts.js';
export type { CarrierRequest, CarrierResult } from './messaging/carrier.js';
export type { ScenarioSummary } from './scenarios/engine.js';
export type { ScenarioFile } from './scenarios/schema.js';
export { createEmulator } from './compose.js';
export type { Emulator } from './emulator.js';
export {
  NoOwnedRecipientError,
  type EmulatorOptions,
  type MessageRequest,
  type InboundRequest,
  type InboundAttachment,
  type CloseReport,
} from './messaging/types.js';
export { PendingWorkError, type PendingReport, type PendingItem } from './messaging/settle.js';
export { buildApp } from './server.js';
export { resolveConfig, type EmulatorConfig, type AccountConfig, type ApplicationConfig } from './config/resolve.js';
export { ConfigFileSchema, type ConfigFile } from './config/schema.js';
export {
  PROFILE_PARTS,
  DEFAULT_RATES,
  type TrafficProfile,
  type TrafficPart,
  type TrafficSpec,
  type TrafficSettings,
  type TrafficRates,
} from './config/traffic.js';
export type { TrafficView } from './messaging/traffic-settings.js';
export type { TrafficOperations } from './control/traffic-operations.js';
export type { OptOutOperations, OptOutList, ControlOptOut } from './control/opt-out-operations.js';
export type { MessageMediaResult, MessageMediaItem, MessageMediaMiss } from './control/message-media.js';
export { DEFAULT_CONFIG, REALTIME_RETRY_DELAYS } from './config/defaults.js';
export { createClock, type Clock } from './clock.js';
export { countSegments, measureText } from './segments.js';
export {
  MESSAGE_ERROR_CODES,
  isKnownErrorCode,
  errorCodeInfo,
  type MessageErrorCode,
  type ErrorCodeGroup,
  type ErrorCodeSourceKind,
  type RetryAdvice,
} from './error-codes.js';
export { BandwidthError, EmulatorConfigError } from './errors.js';
export { JournalWaitTimeout, type JournalEntry, type JournalFilter, type CallbackOutcome } from './store/journal.js';
export type { StoredMessage, MessageStatus } from './store/messages.js';
export type { Channel, ChannelListItem, SuggestionResponse, LocationResponse } from './store/messages.js';
export type { MultiChannelRequest } from './multichannel.js';
export { STATE_VERSION, type StateDocument, type RestoreCounts } from './persistence/state-document.js';
export { configReference, type ConfigField } from './config/reference.js';
export { listenOnAllDoors, ListenError, type OpenDoors } from './proxy/front-doors.js';
