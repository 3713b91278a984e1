import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Emulator } from '../emulator.js';
import { bandwidthErrors, type BandwidthError } from '../errors.js';
import { explainRule, type ApiFault } from '../scenarios/engine.js';
import type { ApiFaultAnswer } from '../scenarios/faults/api-faults.js';

// Bandwidth's error for each status an API fault answers with (the scope's error handler words the body); a status
// added to the registry without a case here fails to compile.
function errorFor(answer: ApiFaultAnswer): BandwidthError {
  switch (answer.status) {
    case 429:
      return bandwidthErrors.queueFull(answer.retryAfter);
    case 500:
      return bandwidthErrors.internal();
    case 503:
      return bandwidthErrors.unavailable();
  }
}

/**
 * Act out a scenario's API fault on a create request, action by action: wait out a delay, then drop the connection
 * (returns 'dropped') or throw the 429/500/503 the scope's error handler words; with only a delay, return undefined
 * and let the request be answered normally.
 */
export async function actOutApiFault(emulator: Emulator, fault: ApiFault, req: FastifyRequest, reply: FastifyReply): Promise<'dropped' | undefined> {
  req.log.info({ rule: fault.rule.id, actions: fault.actions }, `scenario API fault: ${explainRule(fault.rule)}`);
  for (const action of fault.actions) {
    if (action.kind === 'wait') {
      await emulator.time.sleep(action.ms);
      continue;
    }
    // close() releases a delayed request early; it must not be accepted by an emulator that is shutting down.
    if (emulator.closed) throw bandwidthErrors.unavailable();
    if (action.kind === 'drop') {
      // A dropped connection: no status line at all, as a crashed upstream or a proxy reset would do.
      reply.hijack();
      req.raw.socket.destroy();
      return 'dropped';
    }
    throw errorFor(action);
  }
  if (emulator.closed) throw bandwidthErrors.unavailable();
  return undefined;
}
