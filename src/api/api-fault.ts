import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Emulator } from '../emulator.js';
import { bandwidthErrors, type BandwidthError } from '../errors.js';
import { noteRefusal } from '../http/refusals.js';
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
  const by = `fault injected by scenario '${fault.rule.scenario}' rule '${fault.rule.name}'`;
  req.log.debug({ rule: fault.rule.id, actions: fault.actions }, `scenario API fault: ${explainRule(fault.rule)}`);
  // One info line per faulted request: an answered one gets the refusal log's line with this reason; a dropped one
  // has no answer to log, and a delayed one goes on to be answered normally, so those two are logged here.
  const last = fault.actions.at(-1);
  if (last?.kind === 'drop' || last?.kind === 'wait') {
    const wait = fault.actions.find((a) => a.kind === 'wait');
    const what = last.kind === 'drop' ? 'connection dropped without an answer' : 'answer delayed';
    req.log.info(
      { method: req.method, path: req.url.split('?')[0], rule: fault.rule.id },
      `${req.method} ${req.url.split('?')[0]}: ${what}${wait ? ` by ${wait.ms} ms (emulated)` : ''}: ${by}`,
    );
  } else noteRefusal(req, by);
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
