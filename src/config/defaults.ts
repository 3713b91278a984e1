import type { ConfigFile } from './schema.js';

/** The embedded default configuration: `npm start` needs no file. */
export const DEFAULT_CONFIG = {
  host: '127.0.0.1',
  port: 4010,
  permissive: false,
  logLevel: 'info',
  timeScale: 1,
  accounts: [
    {
      id: '9900000',
      users: [
        { username: 'bw-user', password: 'bw-password', messaging: true },
        // A user without the messaging role, so clients can test their 403 handling.
        { username: 'bw-forbidden-user', password: 'bw-forbidden-password', messaging: false },
      ],
      oauthClients: [{ clientId: 'bw-client-id', clientSecret: 'bw-client-secret' }],
      applications: [
        {
          id: '93de2206-9669-4e07-948d-329f4b722ee2',
          name: 'Default messaging application',
          callbackAuth: { mode: 'none' },
          callbackTypes: ['message-sending', 'message-delivered', 'message-failed'],
        },
      ],
      numbers: ['+19195550100', '+19195550101', '+19195550102', '+19195550103', '+19195550104'].map((number) => ({
        number,
        applicationId: '93de2206-9669-4e07-948d-329f4b722ee2',
      })),
    },
  ],
  callbacks: {
    timeout: '10s',
    // Stands in for Bandwidth's 24-hour retry window, compressed so a test sees several retries in seconds.
    retryDelays: ['250ms', '500ms', '1s', '2s', '4s'],
    deliveryDelay: '100ms',
    sendingDelay: '20ms',
  },
  limits: { maxMessages: 10_000, maxJournalEntries: 10_000 },
  oauth: { tokenTtlSeconds: 3600 },
} satisfies ConfigFile;

/**
 * A retry schedule close to Bandwidth's real one: retries spread over 24 hours (the exact steps are unpublished).
 * Use it with `callbacks.retryDelays` when time runs at real speed.
 */
export const REALTIME_RETRY_DELAYS = ['1m', '5m', '15m', '30m', '1h', '2h', '4h', '8h', '8h'];
