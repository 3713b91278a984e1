// The public library API: re-exports only.
export { startEmulator, type RunningEmulator, type EmulatorAccount } from './start.js';
export { connectEmulator, type RemoteEmulator } from './control/client.js';
export { ControlInputError, type ControlOperations, type ControlMessage, type MessageFilter, type Health } from './control/operations.js';
export type { ScenarioSummary } from './scenarios/engine.js';
export type { ScenarioFile } from './scenarios/schema.js';
export { createEmulator, Emulator, NoOwnedRecipientError, type MessageRequest, type InboundRequest, type CloseReport } from './emulator.js';
export { buildApp } from './server.js';
export { resolveConfig, type EmulatorConfig, type AccountConfig, type ApplicationConfig } from './config/resolve.js';
export { ConfigFileSchema, type ConfigFile } from './config/schema.js';
export { DEFAULT_CONFIG, REALTIME_RETRY_DELAYS } from './config/defaults.js';
export { createClock, type Clock } from './clock.js';
export { countSegments, measureText } from './segments.js';
export { MESSAGE_ERROR_CODES, isKnownErrorCode } from './error-codes.js';
export { BandwidthError, EmulatorConfigError } from './errors.js';
export { JournalWaitTimeout, type JournalEntry, type JournalFilter, type CallbackOutcome } from './store/journal.js';
export type { StoredMessage, MessageStatus } from './store/messages.js';
export { STATE_VERSION, type StateDocument, type RestoreCounts } from './persistence/state.js';
export { configReference, type ConfigField } from './config/reference.js';
