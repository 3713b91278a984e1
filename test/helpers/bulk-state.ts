// A state document holding many messages, for tests of search and paging: importing it (POST /__emulator/state or
// running.state.import) is much faster than sending thousands of messages.

/** The numbers and times the bulk messages use. */
export interface BulkOptions {
  accountId: string;
  applicationId: string;
  ours: string;
  /** How many messages: message i goes to handset +1919556{i % handsets, 4 digits}, at `start + i` seconds. */
  count: number;
  handsets?: number;
  start?: number;
}

/** The handset number message `i` goes to. */
export function bulkHandset(i: number, handsets: number): string {
  return `+1919556${String(i % handsets).padStart(4, '0')}`;
}

/** A state document with `count` outbound messages, oldest first; message i has id `bulk-{i}` and text `bulk message {i}`. */
export function bulkState(options: BulkOptions): Record<string, unknown> {
  const { accountId, applicationId, ours, count, handsets = 100, start = 1_700_000_000_000 } = options;
  const messages = Array.from({ length: count }, (_, i) => {
    const time = start + i * 1000;
    const to = bulkHandset(i, handsets);
    return {
      id: `bulk-${String(i).padStart(6, '0')}`,
      accountId,
      direction: 'out',
      applicationId,
      owner: ours,
      from: ours,
      to: [to],
      text: `bulk message ${i}`,
      priority: 'default',
      time,
      segmentCount: 1,
      recipients: [{ to, status: i % 10 === 0 ? 'FAILED' : 'DELIVERED', errorCode: i % 10 === 0 ? 4720 : 0, updatedAt: time }],
      timeline: [],
    };
  });
  return { kind: 'bandwidth-emulator-state', version: 1, messages, media: [], journal: [], scenarios: [] };
}
