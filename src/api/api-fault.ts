import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Emulator } from '../emulator.js';
import { bandwidthErrors } from '../errors.js';
import { explainRule, type ApiFault } from '../scenarios/engine.js';

/**
 * Act out a scenario's API fault on a create request: wait out a delay, then drop the connection (returns
 * 'dropped'), or throw the 429/500/503 the scope's error handler words; with only a delay, return undefined and let
 * the request be answered normally.
 */
export async function actOutApiFault(emulator: Emulator, fault: ApiFault, req: FastifyRequest, reply: FastifyReply): Promise<'dropped' | undefined> {
  req.log.info({ rule: fault.rule.id, status: fault.status, delayMs: fault.delayMs, drop: fault.drop }, `scenario API fault: ${explainRule(fault.rule)}`);
  if (fault.delayMs) await emulator.time.sleep(fault.delayMs);
  // close() releases a delayed request early; it must not be accepted by an emulator that is shutting down.
  if (emulator.closed) throw bandwidthErrors.unavailable();
  if (fault.drop) {
    // A dropped connection: no status line at all, as a crashed upstream or a proxy reset would do.
    reply.hijack();
    req.raw.socket.destroy();
    return 'dropped';
  }
  if (fault.status === 429) throw bandwidthErrors.queueFull(fault.retryAfter ?? 1);
  if (fault.status === 500) throw bandwidthErrors.internal();
  if (fault.status === 503) throw bandwidthErrors.unavailable();
  return undefined;
}
