import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Emulator } from '../emulator.js';
import { bandwidthErrors, type BandwidthError } from '../errors.js';
import { noteRefusal } from '../http/refusals.js';
import { explainRule, type ApiFault } from '../scenarios/engine.js';
import type { ApiFaultAnswer, ApiOperation } from '../scenarios/faults/api-faults.js';

// Each operation's 429 as the spec gives it: the create's queue-full body, the search's listMessagesTooManyRequestsError
// (`rate_limit_exceeded`), the media API's messagingTooManyRequestsError; each with Retry-After.
const TOO_MANY: Record<ApiOperation, (retryAfter: number) => BandwidthError> = {
  create: (retryAfter) => bandwidthErrors.queueFull(retryAfter),
  search: (retryAfter) => bandwidthErrors.searchRateLimited(retryAfter),
  media: (retryAfter) => bandwidthErrors.mediaRateLimited(retryAfter),
};

// Bandwidth's error for each status an API fault answers with (the scope's error handler words the body); a status
// added to the registry without a case here fails to compile.
function errorFor(answer: ApiFaultAnswer, operation: ApiOperation, contentType: string | undefined): BandwidthError {
  switch (answer.status) {
    case 404:
      return bandwidthErrors.notFound();
    case 415:
      return bandwidthErrors.unsupportedContentType(contentType);
    case 429:
      return TOO_MANY[operation](answer.retryAfter);
    case 500:
      return bandwidthErrors.internal();
    case 503:
      return bandwidthErrors.unavailable();
  }
}

/**
 * Act out a scenario's API fault on a request (a create, a search, a media request), action by action: wait out a delay, then drop the connection
 * (returns 'dropped') or throw the 404/415/429/500/503 the scope's error handler words; with only a delay, return undefined
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
    throw errorFor(action, fault.operation, req.headers['content-type']);
  }
  if (emulator.closed) throw bandwidthErrors.unavailable();
  return undefined;
}
